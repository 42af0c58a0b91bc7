//! A chat's newest message as the chat row keeps it (`chats.last_message*`,
//! `0017_chat_list_page.sql`): set by the sends and Telegram messages projector-sync
//! applies (and the notices projector-async applies), each guarded by the message's
//! version, and revised in place by the edits and deletes of that same message, which
//! projector-sync applies in the chat's event order.

use chat_domain::{ChatId, MessageId};
use sqlx::types::Json;
use sqlx::{Postgres, Transaction};

use super::{db, rows::chat_upsert};
use crate::model::MessageRecord;
use crate::plan::{LastMessageRevision, NewMessage};
use crate::ports::Result;

/// Makes `message`, sent at `version`, the chat's newest unless a newer one is there.
pub(super) async fn set(
    tx: &mut Transaction<'_, Postgres>,
    chat_id: ChatId,
    version: i64,
    message: &NewMessage,
) -> Result<()> {
    let record = MessageRecord::first_stored(chat_id, u64::try_from(version).unwrap_or(0), message);
    let newer = "chats.last_message_version < EXCLUDED.last_message_version";
    sqlx::query(sqlx::AssertSqlSafe(chat_upsert(
        "last_message_id, last_message_at, last_message, last_message_version, \
         oldest_bucket, newest_bucket",
        "$3, $4, $5, $2, $6, $6",
        &format!(
            "last_message_id = CASE WHEN {newer} \
                 THEN EXCLUDED.last_message_id ELSE chats.last_message_id END, \
             last_message_at = CASE WHEN {newer} \
                 THEN EXCLUDED.last_message_at ELSE chats.last_message_at END, \
             last_message = CASE WHEN {newer} \
                 THEN EXCLUDED.last_message ELSE chats.last_message END, \
             last_message_version = GREATEST(chats.last_message_version, \
                 EXCLUDED.last_message_version), \
             oldest_bucket = LEAST(chats.oldest_bucket, EXCLUDED.oldest_bucket), \
             newest_bucket = GREATEST(chats.newest_bucket, EXCLUDED.newest_bucket)"
        ),
    )))
    .bind(chat_id.as_uuid())
    .bind(version)
    .bind(message.message_id.as_uuid())
    .bind(message.created_at)
    .bind(Json(&record))
    .bind(message.bucket)
    .execute(&mut **tx)
    .await
    .map_err(db)?;
    Ok(())
}

/// Applies `revision` of `message_id` to the chat's newest message, if it is that one
/// (an edit of an older message changes nothing here). The revised record is computed
/// here from the stored one, by the same rule as every other adapter
/// ([`MessageRecord::revised`]).
pub(super) async fn revise(
    tx: &mut Transaction<'_, Postgres>,
    chat_id: ChatId,
    version: i64,
    message_id: MessageId,
    revision: &LastMessageRevision,
) -> Result<()> {
    let stored: Option<Json<MessageRecord>> = sqlx::query_scalar(
        "SELECT last_message FROM chats \
         WHERE id = $1 AND last_message_id = $2 AND last_message IS NOT NULL",
    )
    .bind(chat_id.as_uuid())
    .bind(message_id.as_uuid())
    .fetch_optional(&mut **tx)
    .await
    .map_err(db)?
    .flatten();
    let Some(Json(stored)) = stored else {
        return Ok(());
    };
    // The row is locked by the event's transaction (see `rows`): nothing moves between.
    sqlx::query(
        "UPDATE chats SET last_message = $3, version = GREATEST(version, $4), \
         updated_at = now() WHERE id = $1 AND last_message_id = $2",
    )
    .bind(chat_id.as_uuid())
    .bind(message_id.as_uuid())
    .bind(Json(stored.revised(revision)))
    .bind(version)
    .execute(&mut **tx)
    .await
    .map_err(db)?;
    Ok(())
}
