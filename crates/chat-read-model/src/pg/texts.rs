//! The messages' texts in PostgreSQL (`message_search`, `message_edits`): the writes of
//! [`TextWrite`], inside the event's projection transaction.
//!
//! projector-async applies a chat's events in order under its checkpoint, so a send is
//! indexed before its edits and its delete; the version guards only keep a replay of an
//! old event from restoring an older text.

use chat_domain::ChatId;
use sqlx::{Postgres, Transaction};

use super::db;
use crate::plan::TextWrite;
use crate::ports::Result;

/// Applies `write` of the event at `version` of `chat_id`.
///
/// # Errors
/// When PostgreSQL fails (the transaction is then rolled back).
pub(super) async fn write(
    tx: &mut Transaction<'_, Postgres>,
    chat_id: ChatId,
    version: i64,
    write: &TextWrite,
) -> Result<()> {
    let chat = chat_id.as_uuid();
    match write {
        TextWrite::Index(m) => {
            sqlx::query(
                "INSERT INTO message_search (chat_id, message_id, sender_id, sender_name, \
                 created_at, content, version) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (chat_id, message_id) DO UPDATE SET content = EXCLUDED.content, \
                 version = EXCLUDED.version WHERE message_search.version < EXCLUDED.version",
            )
            .bind(chat)
            .bind(m.message_id.as_uuid())
            .bind(m.sender_id.map(|s| s.as_uuid()))
            .bind(m.sender_name.clone())
            .bind(m.created_at)
            .bind(m.content.clone())
            .bind(version)
            .execute(&mut **tx)
            .await
            .map_err(db)?;
        }
        TextWrite::Revise(r) => {
            let message = r.message_id.as_uuid();
            sqlx::query(
                "UPDATE message_search SET content = $3, version = $4 \
                 WHERE chat_id = $1 AND message_id = $2 AND version < $4",
            )
            .bind(chat)
            .bind(message)
            .bind(r.content.clone())
            .bind(version)
            .execute(&mut **tx)
            .await
            .map_err(db)?;
            // Who edited it stays with the edit for operators; the history names the
            // message's author, the only one who edits it.
            sqlx::query(
                "INSERT INTO message_edits (chat_id, message_id, version, content, \
                 previous_content, editor_id, editor_name, edited_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
            )
            .bind(chat)
            .bind(message)
            .bind(version)
            .bind(r.content.clone())
            .bind(r.previous_content.clone())
            .bind(r.editor_id.map(|u| u.as_uuid()))
            .bind(r.editor_name.clone())
            .bind(r.edited_at)
            .execute(&mut **tx)
            .await
            .map_err(db)?;
        }
        TextWrite::Forget { message_id } => {
            for table in ["message_search", "message_edits"] {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DELETE FROM {table} WHERE chat_id = $1 AND message_id = $2"
                )))
                .bind(chat)
                .bind(message_id.as_uuid())
                .execute(&mut **tx)
                .await
                .map_err(db)?;
            }
        }
    }
    Ok(())
}

/// Forgets every text of a hard-deleted chat.
///
/// # Errors
/// When PostgreSQL fails.
pub(super) async fn forget_chat(tx: &mut Transaction<'_, Postgres>, chat_id: ChatId) -> Result<()> {
    for table in ["message_search", "message_edits"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE chat_id = $1"
        )))
        .bind(chat_id.as_uuid())
        .execute(&mut **tx)
        .await
        .map_err(db)?;
    }
    Ok(())
}
