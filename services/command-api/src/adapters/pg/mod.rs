//! The PostgreSQL event store: `events`, `snapshots`, `outbox`, `idempotency_keys`,
//! `telegram_link_claims`, the `message_index` and `chat_members` (see `migrations/`).
//!
//! - `append`: many chats' decisions in one transaction (group commit).
//! - `facts`: the message index lookups of one command.
//! - `members`: the membership authority, written with the events, read by access
//!   checks.
//! - `media`: what stored events mean for media (an upload taken by a
//!   message, a hard-deleted chat's objects to remove).

mod append;
mod facts;
mod media;
mod members;

use anyhow::anyhow;
use chat_domain::{
    Aggregate, Chat, ChatEvent, ChatId, ChatState, FactsQuery, MessageFacts, MessageId, UserId,
};
use sqlx::PgPool;
use sqlx::types::Json;
use uuid::Uuid;

use crate::ports::{EventStore, NewEvents, StoreError};
pub use members::PgMembers;

/// The event store on a PostgreSQL pool.
#[derive(Debug, Clone)]
pub struct PgEventStore {
    pool: PgPool,
}

impl PgEventStore {
    /// A store on `pool` (migrations already applied).
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

fn unavailable(e: sqlx::Error) -> StoreError {
    StoreError::Unavailable(e.into())
}

/// Runs `sql` on (chat, version) pairs: `$1` the chat ids, `$2` the versions.
async fn execute_on_versions(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    sql: &'static str,
    chats: &[Uuid],
    versions: &[i64],
) -> Result<(), StoreError> {
    sqlx::query(sql)
        .bind(chats)
        .bind(versions)
        .execute(&mut **tx)
        .await
        .map_err(unavailable)?;
    Ok(())
}

fn version_i64(version: u64) -> Result<i64, StoreError> {
    i64::try_from(version)
        .map_err(|_| StoreError::Corrupt(anyhow!("version {version} does not fit a BIGINT")))
}

impl EventStore for PgEventStore {
    async fn append_batch(&self, batch: &[NewEvents]) -> Vec<Result<(), StoreError>> {
        append::append_batch(&self.pool, batch).await
    }

    async fn version(&self, chat_id: ChatId) -> Result<u64, StoreError> {
        let version: i64 =
            sqlx::query_scalar("SELECT COALESCE(max(version), 0) FROM events WHERE chat_id = $1")
                .bind(chat_id.as_uuid())
                .fetch_one(&self.pool)
                .await
                .map_err(unavailable)?;
        u64::try_from(version).map_err(|_| StoreError::Corrupt(anyhow!("negative version")))
    }

    async fn facts(&self, chat_id: ChatId, query: &FactsQuery) -> Result<MessageFacts, StoreError> {
        facts::look_up(&self.pool, chat_id, query).await
    }

    async fn load(&self, chat_id: ChatId) -> Result<ChatState, StoreError> {
        let snapshot: Option<(i64, Json<serde_json::Value>)> =
            sqlx::query_as("SELECT version, state FROM snapshots WHERE chat_id = $1")
                .bind(chat_id.as_uuid())
                .fetch_optional(&self.pool)
                .await
                .map_err(unavailable)?;
        // A snapshot that no longer decodes (the state's shape changed) is only a cache:
        // fall back to the full history. Snapshots from before the message index hold
        // message maps: serde skips those fields, so they load as they are.
        let (from_version, state) = match snapshot
            .map(|(v, Json(s))| (v, serde_json::from_value::<ChatState>(s)))
        {
            Some((version, Ok(state))) => (version, state),
            Some((_, Err(e))) => {
                tracing::warn!(%chat_id, error.message = %e, "ignoring an undecodable snapshot");
                (0, ChatState::Absent)
            }
            None => (0, ChatState::Absent),
        };
        let events: Vec<Json<ChatEvent>> = sqlx::query_scalar(
            "SELECT envelope->'payload' FROM events WHERE chat_id = $1 AND version > $2 ORDER BY version",
        )
        .bind(chat_id.as_uuid())
        .bind(from_version)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| match e {
            sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => {
                StoreError::Corrupt(anyhow!("chat {chat_id}: an event does not decode: {e}"))
            }
            other => unavailable(other),
        })?;
        Ok(events
            .iter()
            .fold(state, |state, Json(event)| Chat::evolve(state, event)))
    }

    async fn claimed_message(
        &self,
        user_id: UserId,
        key: &str,
    ) -> Result<Option<(ChatId, MessageId)>, StoreError> {
        let row: Option<(Uuid, Uuid)> = sqlx::query_as(
            "SELECT chat_id, message_id FROM idempotency_keys \
             WHERE user_id = $1 AND idempotency_key = $2",
        )
        .bind(user_id.as_uuid())
        .bind(key)
        .fetch_optional(&self.pool)
        .await
        .map_err(unavailable)?;
        Ok(row.map(|(chat, message)| (ChatId::from_uuid(chat), MessageId::from_uuid(message))))
    }
}
