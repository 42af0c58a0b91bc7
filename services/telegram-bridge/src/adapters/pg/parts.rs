//! The parts of a chat message posted to Telegram in several messages: the first is its
//! row in `telegram_bridge_messages`, the others are rows of
//! `telegram_bridge_message_parts`, each recorded as soon as Telegram accepted it.

use chat_domain::{ChatId, MessageId};

use super::{BridgeStore, StoreError};

/// One Telegram message carrying a part of a chat message's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    /// Its number: 0 for the first part, then in the order the parts were posted.
    pub index: u32,
    /// Telegram's message id.
    pub telegram_message_id: i64,
}

fn index(part: u32) -> i32 {
    i32::try_from(part).unwrap_or(i32::MAX)
}

impl BridgeStore {
    /// Records part `part` (1 or more; part 0 is [`BridgeStore::record`]) of chat
    /// message `message_id` as Telegram message `telegram_message_id`; a part already
    /// recorded is kept.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn record_part(
        &self,
        chat_id: ChatId,
        message_id: MessageId,
        part: u32,
        telegram_chat_id: i64,
        telegram_message_id: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO telegram_bridge_message_parts \
                 (chat_id, message_id, part, telegram_chat_id, telegram_message_id) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(chat_id.as_uuid())
        .bind(message_id.as_uuid())
        .bind(index(part))
        .bind(telegram_chat_id)
        .bind(telegram_message_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The recorded parts of chat message `message_id`, in order (none when it was never
    /// mirrored).
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn parts(
        &self,
        chat_id: ChatId,
        message_id: MessageId,
    ) -> Result<Vec<Part>, StoreError> {
        let rows: Vec<(i32, i64)> = sqlx::query_as(
            "SELECT 0, telegram_message_id FROM telegram_bridge_messages \
             WHERE chat_id = $1 AND message_id = $2 \
             UNION ALL \
             SELECT part, telegram_message_id FROM telegram_bridge_message_parts \
             WHERE chat_id = $1 AND message_id = $2 \
             ORDER BY 1",
        )
        .bind(chat_id.as_uuid())
        .bind(message_id.as_uuid())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(part, telegram_message_id)| Part {
                index: u32::try_from(part).unwrap_or_default(),
                telegram_message_id,
            })
            .collect())
    }

    /// Forgets part `part` (1 or more) of chat message `message_id`: it was deleted in
    /// Telegram, or an edit that needs fewer parts deleted it.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn forget_part(
        &self,
        chat_id: ChatId,
        message_id: MessageId,
        part: u32,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "DELETE FROM telegram_bridge_message_parts \
             WHERE chat_id = $1 AND message_id = $2 AND part = $3",
        )
        .bind(chat_id.as_uuid())
        .bind(message_id.as_uuid())
        .bind(index(part))
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
