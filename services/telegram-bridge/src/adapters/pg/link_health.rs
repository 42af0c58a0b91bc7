//! Links the bot cannot serve (`migrations/0009_telegram_link_health.sql`): a supergroup
//! it was removed from or may not write to is marked broken with Telegram's error, and
//! healthy again once a call there succeeds or the chat is linked or unlinked anew.
//! What each chat was last told of it (`migrations/0014_telegram_link_notices.sql`) is
//! kept beside, so every change is told once.

use chat_domain::ChatId;
use uuid::Uuid;

use super::{BridgeStore, StoreError};

/// A link whose chat was not told of its health yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingNotice {
    /// The chat.
    pub chat_id: ChatId,
    /// The supergroup it is linked to.
    pub telegram_chat_id: i64,
    /// Why it is broken now (`None`: healthy again).
    pub broken_reason: Option<String>,
}

impl BridgeStore {
    /// Marks the links to supergroup `telegram_chat_id` broken because of `reason`
    /// (Telegram's error); `true` when one was healthy until now. A link already broken
    /// keeps the reason and time it broke (other calls there fail with their own
    /// errors, e.g. `USER_NOT_PARTICIPANT` after `CHANNEL_PRIVATE`: the same break).
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn mark_broken(
        &self,
        telegram_chat_id: i64,
        reason: &str,
    ) -> Result<bool, StoreError> {
        let changed = sqlx::query(
            "UPDATE telegram_bridge_links SET broken_reason = $2, broken_at = now() \
             WHERE telegram_chat_id = $1 AND linked AND broken_reason IS NULL",
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

    /// The links whose chat was not told of their health as it is now.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn pending_notices(&self) -> Result<Vec<PendingNotice>, StoreError> {
        let rows: Vec<(Uuid, i64, Option<String>)> = sqlx::query_as(
            "SELECT chat_id, telegram_chat_id, broken_reason FROM telegram_bridge_links \
             WHERE linked AND broken_reason IS DISTINCT FROM notified_reason \
             ORDER BY chat_id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(chat, telegram_chat_id, broken_reason)| PendingNotice {
                chat_id: ChatId::from_uuid(chat),
                telegram_chat_id,
                broken_reason,
            })
            .collect())
    }

    /// Records that `chat_id` was told its link is broken for `reason` (`None`: healthy),
    /// unless the health changed meanwhile (then the next round tells the new one).
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn notified(&self, chat_id: ChatId, reason: Option<&str>) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE telegram_bridge_links SET notified_reason = $2 \
             WHERE chat_id = $1 AND broken_reason IS NOT DISTINCT FROM $2",
        )
        .bind(chat_id.as_uuid())
        .bind(reason)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
