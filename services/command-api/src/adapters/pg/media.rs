//! What stored events mean for media, written in the transaction that stores them: an
//! upload taken by the message that names its object (so housekeeping never removes the
//! object of a sent message), and a hard-deleted chat's objects to remove (so no hard
//! delete is forgotten when the store or this process is away).

use chat_domain::ChatEvent;
use chat_domain::chat::facts::MessageChange;
use sqlx::{Postgres, Transaction};
use uuid::Uuid;

use super::unavailable;
use crate::ports::{NewEvents, StoreError};

/// Records, for the stored decisions, the uploads their messages took and the chats they
/// hard-deleted.
pub(super) async fn write(
    tx: &mut Transaction<'_, Postgres>,
    stored: &[&NewEvents],
) -> Result<(), StoreError> {
    let mut keys = Vec::new();
    let mut messages = Vec::new();
    let mut purged = Vec::new();
    for new in stored {
        for envelope in &new.envelopes {
            if let ChatEvent::ChatHardDeleted(_) = envelope.payload {
                purged.push(new.chat_id.as_uuid());
            }
            if let Some(MessageChange::Added { id, record, .. }) = envelope.payload.message_change()
                && let Some(key) = record.attachment_key
            {
                keys.push(key);
                messages.push(id.as_uuid());
            }
        }
    }
    if !keys.is_empty() {
        sqlx::query(
            "UPDATE attachment_uploads u SET message_id = t.m \
             FROM UNNEST($1::text[], $2::uuid[]) AS t(k, m) WHERE u.object_key = t.k",
        )
        .bind(&keys)
        .bind(&messages)
        .execute(&mut **tx)
        .await
        .map_err(unavailable)?;
    }
    if !purged.is_empty() {
        sqlx::query(
            "INSERT INTO media_purges (chat_id) SELECT * FROM UNNEST($1::uuid[]) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&purged as &[Uuid])
        .execute(&mut **tx)
        .await
        .map_err(unavailable)?;
    }
    Ok(())
}
