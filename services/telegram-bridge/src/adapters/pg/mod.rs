//! The bridge's PostgreSQL tables (`migrations/0003_telegram_bridge.sql`,
//! `0008_telegram_message_parts.sql`, `0009_telegram_link_health.sql`): the links it
//! learned from the event stream (and whether the bot can still serve them), and the
//! chat <-> Telegram message id mapping, a message posted in parts mapped part by part
//! ([`Part`]).

mod link_health;
mod parts;

pub use link_health::PendingNotice;
pub use parts::Part;

use chat_domain::{ChatId, MessageId};
use sqlx::PgPool;
use uuid::Uuid;

use crate::ports::TelegramTarget;

/// A store failure (PostgreSQL unreachable or a query failed); always worth retrying.
#[derive(Debug, thiserror::Error)]
#[error("the bridge store failed: {0}")]
pub struct StoreError(#[from] sqlx::Error);

/// Which side wrote a mirrored message first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Written in the chat, sent to Telegram by the bridge.
    Chat,
    /// Written in Telegram, posted to the chat by the bridge.
    Telegram,
}

impl Origin {
    const fn as_str(self) -> &'static str {
        match self {
            Self::Chat => "chat",
            Self::Telegram => "telegram",
        }
    }
}

/// A linked chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    /// The chat.
    pub chat_id: ChatId,
    /// The supergroup (and topic) it mirrors.
    pub target: TelegramTarget,
}

/// One mirrored message, as found through one of its Telegram messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MappedMessage {
    /// The chat.
    pub chat_id: ChatId,
    /// The chat's message id.
    pub message_id: MessageId,
    /// The supergroup.
    pub telegram_chat_id: i64,
    /// The forum topic, if any.
    pub telegram_topic_id: Option<i64>,
    /// Telegram's message id (of the part it was found by; else of the first part).
    pub telegram_message_id: i64,
    /// Which part of the message's Telegram copy that is (0: the first or only one).
    pub part: u32,
    /// Which side wrote it first.
    pub origin: Origin,
    /// The chat version of the last event mirrored onto Telegram for it.
    pub last_version: u64,
    /// Whether it was deleted.
    pub deleted: bool,
}

type MappedRow = (Uuid, Uuid, i64, Option<i64>, i64, String, i64, bool, i32);

fn mapped(
    (chat, message, tg_chat, topic, tg_message, origin, version, deleted, part): MappedRow,
) -> MappedMessage {
    MappedMessage {
        chat_id: ChatId::from_uuid(chat),
        message_id: MessageId::from_uuid(message),
        telegram_chat_id: tg_chat,
        telegram_topic_id: topic,
        telegram_message_id: tg_message,
        part: u32::try_from(part).unwrap_or_default(),
        origin: if origin == "telegram" {
            Origin::Telegram
        } else {
            Origin::Chat
        },
        last_version: u64::try_from(version).unwrap_or_default(),
        deleted,
    }
}

/// The columns of a [`MappedRow`] of `telegram_bridge_messages` as `m`, with the
/// Telegram message id and part number to show.
fn mapped_columns(telegram_message_id: &str, part: &str) -> String {
    format!(
        "m.chat_id, m.message_id, m.telegram_chat_id, m.telegram_topic_id, \
         {telegram_message_id}, m.origin, \
         m.last_version, m.deleted, {part}"
    )
}

fn version(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// The bridge's tables.
#[derive(Debug, Clone)]
pub struct BridgeStore {
    pool: PgPool,
}

impl BridgeStore {
    /// A store on `pool` (migrated by `chat-migrate`).
    #[must_use]
    pub const fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Records that `chat_id` is linked (or, with `linked = false`, unlinked) as of chat
    /// `version`; an event older than the one recorded changes nothing. A newer one
    /// clears a broken mark (and what the chat was told of it): a relink is the
    /// operator's "try again".
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn set_link(
        &self,
        chat_id: ChatId,
        target: TelegramTarget,
        linked: bool,
        at_version: u64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO telegram_bridge_links \
                 (chat_id, telegram_chat_id, telegram_topic_id, linked, version) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (chat_id) DO UPDATE SET \
                 telegram_chat_id = EXCLUDED.telegram_chat_id, \
                 telegram_topic_id = EXCLUDED.telegram_topic_id, \
                 linked = EXCLUDED.linked, version = EXCLUDED.version, updated_at = now(), \
                 broken_reason = NULL, broken_at = NULL, notified_reason = NULL \
             WHERE telegram_bridge_links.version < EXCLUDED.version",
        )
        .bind(chat_id.as_uuid())
        .bind(target.chat_id)
        .bind(target.topic_id)
        .bind(linked)
        .bind(version(at_version))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The link of `chat_id`, if it is linked now.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn link_of_chat(&self, chat_id: ChatId) -> Result<Option<Link>, StoreError> {
        let row: Option<(Uuid, i64, Option<i64>)> = sqlx::query_as(
            "SELECT chat_id, telegram_chat_id, telegram_topic_id FROM telegram_bridge_links \
             WHERE chat_id = $1 AND linked",
        )
        .bind(chat_id.as_uuid())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(link))
    }

    /// The chats linked to supergroup `telegram_chat_id` now (one per topic at most).
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn links_of_group(&self, telegram_chat_id: i64) -> Result<Vec<Link>, StoreError> {
        let rows: Vec<(Uuid, i64, Option<i64>)> = sqlx::query_as(
            "SELECT chat_id, telegram_chat_id, telegram_topic_id FROM telegram_bridge_links \
             WHERE telegram_chat_id = $1 AND linked ORDER BY version",
        )
        .bind(telegram_chat_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(link).collect())
    }

    /// The supergroups linked now.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn linked_groups(&self) -> Result<Vec<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT telegram_chat_id FROM telegram_bridge_links WHERE linked \
             ORDER BY telegram_chat_id",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Records a mirrored message; a mapping already there is kept (first writer wins).
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn record(
        &self,
        chat_id: ChatId,
        message_id: MessageId,
        target: TelegramTarget,
        telegram_message_id: i64,
        origin: Origin,
        at_version: u64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO telegram_bridge_messages (chat_id, message_id, telegram_chat_id, \
                 telegram_topic_id, telegram_message_id, origin, last_version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        )
        .bind(chat_id.as_uuid())
        .bind(message_id.as_uuid())
        .bind(target.chat_id)
        .bind(target.topic_id)
        .bind(telegram_message_id)
        .bind(origin.as_str())
        .bind(version(at_version))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The mapping of chat message `message_id`.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn by_chat_message(
        &self,
        chat_id: ChatId,
        message_id: MessageId,
    ) -> Result<Option<MappedMessage>, StoreError> {
        let row: Option<MappedRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM telegram_bridge_messages m \
             WHERE chat_id = $1 AND message_id = $2",
            mapped_columns("m.telegram_message_id", "0")
        )))
        .bind(chat_id.as_uuid())
        .bind(message_id.as_uuid())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(mapped))
    }

    /// The mapping of Telegram message `telegram_message_id` of a supergroup, which may
    /// be any part of a message posted in parts.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn by_telegram_message(
        &self,
        telegram_chat_id: i64,
        telegram_message_id: i64,
    ) -> Result<Option<MappedMessage>, StoreError> {
        let row: Option<MappedRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM telegram_bridge_messages m \
             WHERE m.telegram_chat_id = $1 AND m.telegram_message_id = $2 \
             UNION ALL \
             SELECT {} FROM telegram_bridge_message_parts p \
             JOIN telegram_bridge_messages m USING (chat_id, message_id) \
             WHERE p.telegram_chat_id = $1 AND p.telegram_message_id = $2 \
             LIMIT 1",
            mapped_columns("m.telegram_message_id", "0"),
            mapped_columns("p.telegram_message_id", "p.part"),
        )))
        .bind(telegram_chat_id)
        .bind(telegram_message_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(mapped))
    }

    /// The newest Telegram message id of supergroup `telegram_chat_id` in the mapping (a
    /// message or a later part), 0 when none.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn newest_telegram_message(&self, telegram_chat_id: i64) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT GREATEST( \
                 (SELECT max(telegram_message_id) FROM telegram_bridge_messages \
                  WHERE telegram_chat_id = $1), \
                 (SELECT max(telegram_message_id) FROM telegram_bridge_message_parts \
                  WHERE telegram_chat_id = $1), \
                 0)",
        )
        .bind(telegram_chat_id)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Records that the event at chat `at_version` was mirrored onto the Telegram copy
    /// (and, with `deleted`, that the message is gone).
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn advance(
        &self,
        chat_id: ChatId,
        message_id: MessageId,
        at_version: u64,
        deleted: bool,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE telegram_bridge_messages \
             SET last_version = GREATEST(last_version, $3), deleted = deleted OR $4 \
             WHERE chat_id = $1 AND message_id = $2",
        )
        .bind(chat_id.as_uuid())
        .bind(message_id.as_uuid())
        .bind(version(at_version))
        .bind(deleted)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

fn link((chat, telegram_chat_id, topic_id): (Uuid, i64, Option<i64>)) -> Link {
    Link {
        chat_id: ChatId::from_uuid(chat),
        target: TelegramTarget {
            chat_id: telegram_chat_id,
            topic_id,
        },
    }
}
