//! Links the bot cannot serve (`migrations/0009_telegram_link_health.sql`): a supergroup
//! it was removed from or may not write to is marked broken with Telegram's error, and
//! healthy again once a call there succeeds or the chat is linked or unlinked anew.

use super::{BridgeStore, StoreError};

impl BridgeStore {
    /// Marks the links to supergroup `telegram_chat_id` broken because of `reason`
    /// (Telegram's error); `true` when one was healthy until now. A link already broken
    /// keeps the time it broke.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn mark_broken(
        &self,
        telegram_chat_id: i64,
        reason: &str,
    ) -> Result<bool, StoreError> {
        let changed = sqlx::query(
            "UPDATE telegram_bridge_links \
             SET broken_reason = $2, broken_at = COALESCE(broken_at, now()) \
             WHERE telegram_chat_id = $1 AND linked \
               AND broken_reason IS DISTINCT FROM $2",
        )
        .bind(telegram_chat_id)
        .bind(reason)
        .execute(&self.pool)
        .await?;
        Ok(changed.rows_affected() > 0)
    }

    /// Clears the broken mark of the links to supergroup `telegram_chat_id` (a call
    /// there succeeded); `true` when one was broken. Run after every successful call,
    /// so it reads the links by group's index (only linked rows are ever marked: a link
    /// event clears the mark).
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn mark_healthy(&self, telegram_chat_id: i64) -> Result<bool, StoreError> {
        let changed = sqlx::query(
            "UPDATE telegram_bridge_links SET broken_reason = NULL, broken_at = NULL \
             WHERE telegram_chat_id = $1 AND linked AND broken_at IS NOT NULL",
        )
        .bind(telegram_chat_id)
        .execute(&self.pool)
        .await?;
        Ok(changed.rows_affected() > 0)
    }

    /// How many linked chats are marked broken now.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn broken_links(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT count(*) FROM telegram_bridge_links WHERE linked AND broken_at IS NOT NULL",
        )
        .fetch_one(&self.pool)
        .await?)
    }
}
