//! The message index lookups of one command: the messages it names, whether a Telegram
//! message was received already, and a reader's unread counts.

use anyhow::anyhow;
use chat_domain::chat::facts::{UnreadCounts, UnreadQuery};
use chat_domain::chat::state::{MessageAuthor, MessageRecord};
use chat_domain::{ChatId, FactsQuery, MessageFacts, MessageId};
use sqlx::PgPool;
use uuid::Uuid;

use super::{unavailable, version_i64};
use crate::ports::StoreError;

type IndexRow = (
    Uuid,
    i64,
    Option<Uuid>,
    Option<i64>,
    Option<String>,
    Option<String>,
);

/// Answers `query` for `chat_id` from `message_index`.
pub(super) async fn look_up(
    pool: &PgPool,
    chat_id: ChatId,
    query: &FactsQuery,
) -> Result<MessageFacts, StoreError> {
    let mut facts = MessageFacts::default();
    if !query.messages.is_empty() {
        let ids: Vec<Uuid> = query.messages.iter().map(|id| id.as_uuid()).collect();
        let rows: Vec<IndexRow> = sqlx::query_as(
            "SELECT message_id, position, author_user_id, author_telegram_user_id, content, \
             attachment_key FROM message_index WHERE chat_id = $1 AND message_id = ANY($2)",
        )
        .bind(chat_id.as_uuid())
        .bind(&ids)
        .fetch_all(pool)
        .await
        .map_err(unavailable)?;
        for row in rows {
            let (id, record) = record(chat_id, row)?;
            facts.messages.insert(id, record);
        }
    }
    if let Some((telegram_chat_id, telegram_message_id)) = query.telegram_message {
        facts.telegram_message_received = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM message_index WHERE chat_id = $1 \
             AND telegram_chat_id = $2 AND telegram_message_id = $3)",
        )
        .bind(chat_id.as_uuid())
        .bind(telegram_chat_id)
        .bind(telegram_message_id)
        .fetch_one(pool)
        .await
        .map_err(unavailable)?;
    }
    if let Some(unread) = query.unread {
        facts.unread = unread_counts(pool, chat_id, unread).await?;
    }
    Ok(facts)
}

fn record(chat_id: ChatId, row: IndexRow) -> Result<(MessageId, MessageRecord), StoreError> {
    let (id, position, user, telegram_user, content, attachment_key) = row;
    let author = match (user, telegram_user) {
        (Some(user), _) => MessageAuthor::User(chat_domain::UserId::from_uuid(user)),
        (None, Some(telegram_user_id)) => MessageAuthor::Telegram { telegram_user_id },
        // A notice (`TelegramLinkChanged`).
        (None, None) => MessageAuthor::System,
    };
    let position = u64::try_from(position)
        .map_err(|_| StoreError::Corrupt(anyhow!("chat {chat_id}: negative message position")))?;
    Ok((
        MessageId::from_uuid(id),
        MessageRecord {
            position,
            author,
            content,
            attachment_key,
        },
    ))
}

/// Live messages not by the reader after their floor, and after the message they read up
/// to too: one index-only range scan of `message_index_live`.
async fn unread_counts(
    pool: &PgPool,
    chat_id: ChatId,
    q: UnreadQuery,
) -> Result<UnreadCounts, StoreError> {
    let (since, after_up_to): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE position > COALESCE( \
             (SELECT position FROM message_index WHERE chat_id = $1 AND message_id = $4), 0)) \
         FROM message_index \
         WHERE chat_id = $1 AND position > $3 AND content IS NOT NULL \
           AND author_user_id IS DISTINCT FROM $2",
    )
    .bind(chat_id.as_uuid())
    .bind(q.reader.as_uuid())
    .bind(version_i64(q.since)?)
    .bind(q.up_to.as_uuid())
    .fetch_one(pool)
    .await
    .map_err(unavailable)?;
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    Ok(UnreadCounts {
        since: count(since),
        after_up_to: count(after_up_to),
    })
}
