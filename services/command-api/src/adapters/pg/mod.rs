//! The PostgreSQL event store: `events`, `snapshots`, `outbox` and `idempotency_keys`
//! (see `migrations/0001_event_store.sql`).

use anyhow::anyhow;
use chat_domain::{Aggregate, Chat, ChatEvent, ChatId, ChatState, MessageId, UserId};
use sqlx::types::Json;
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use crate::ports::{EventStore, NewEvents, StoreError};
use crate::relay::OUTBOX_CHANNEL;

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

/// Which unique constraint a failed insert broke, if any.
fn violated_constraint(e: &sqlx::Error) -> Option<&str> {
    match e {
        sqlx::Error::Database(db) if db.is_unique_violation() => db.constraint(),
        _ => None,
    }
}

fn unavailable(e: sqlx::Error) -> StoreError {
    StoreError::Unavailable(e.into())
}

impl EventStore for PgEventStore {
    async fn append(&self, new: NewEvents<'_>) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        if let Some(claim) = new.idempotency {
            sqlx::query(
                "INSERT INTO idempotency_keys (user_id, idempotency_key, chat_id, message_id) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(claim.user_id.as_uuid())
            .bind(&claim.key)
            .bind(claim.chat_id.as_uuid())
            .bind(claim.message_id.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(|e| match violated_constraint(&e) {
                Some(_) => StoreError::IdempotencyKeyTaken,
                None => unavailable(e),
            })?;
        }
        let trace = Json(new.trace_context);
        for envelope in new.envelopes {
            insert_event(&mut tx, envelope, &trace, new.chat_id).await?;
            claim_telegram_link(&mut tx, &envelope.payload, new.chat_id).await?;
        }
        if let Some(state) = new.snapshot {
            sqlx::query(
                "INSERT INTO snapshots (chat_id, version, state) VALUES ($1, $2, $3) \
                 ON CONFLICT (chat_id) DO UPDATE SET version = EXCLUDED.version, \
                 state = EXCLUDED.state, taken_at = now() WHERE snapshots.version < EXCLUDED.version",
            )
            .bind(new.chat_id.as_uuid())
            .bind(version_i64(state.version())?)
            .bind(Json(state))
            .execute(&mut *tx)
            .await
            .map_err(unavailable)?;
        }
        // Wakes the relay when the transaction commits (PostgreSQL delivers on commit).
        sqlx::query("SELECT pg_notify($1, '')")
            .bind(OUTBOX_CHANNEL)
            .execute(&mut *tx)
            .await
            .map_err(unavailable)?;
        tx.commit()
            .await
            .map_err(|e| match violated_constraint(&e) {
                Some(_) => StoreError::VersionConflict(new.chat_id),
                None => unavailable(e),
            })
    }

    async fn load(&self, chat_id: ChatId) -> Result<ChatState, StoreError> {
        let snapshot: Option<(i64, Json<serde_json::Value>)> =
            sqlx::query_as("SELECT version, state FROM snapshots WHERE chat_id = $1")
                .bind(chat_id.as_uuid())
                .fetch_optional(&self.pool)
                .await
                .map_err(unavailable)?;
        // A snapshot that no longer decodes (the state's shape changed) is only a cache:
        // fall back to the full history.
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

async fn insert_event(
    tx: &mut Transaction<'_, Postgres>,
    envelope: &chat_domain::Envelope,
    trace: &Json<&[(String, String)]>,
    chat_id: ChatId,
) -> Result<(), StoreError> {
    let version = version_i64(envelope.version)?;
    sqlx::query(
        "INSERT INTO events (chat_id, version, event_id, event_type, envelope) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(chat_id.as_uuid())
    .bind(version)
    .bind(envelope.event_id.as_uuid())
    .bind(&envelope.event_type)
    .bind(Json(envelope))
    .execute(&mut **tx)
    .await
    .map_err(|e| match violated_constraint(&e) {
        // The (chat_id, version) key, or the event id derived from it: another writer won.
        Some(_) => StoreError::VersionConflict(chat_id),
        None => unavailable(e),
    })?;
    sqlx::query(
        "INSERT INTO outbox (chat_id, version, event_id, envelope, trace_context) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(chat_id.as_uuid())
    .bind(version)
    .bind(envelope.event_id.as_uuid())
    .bind(Json(envelope))
    .bind(trace)
    .execute(&mut **tx)
    .await
    .map_err(unavailable)?;
    Ok(())
}

/// Keeps `telegram_link_claims` in step with the chat's link: claimed by a link,
/// released by an unlink or a hard delete.
async fn claim_telegram_link(
    tx: &mut Transaction<'_, Postgres>,
    event: &ChatEvent,
    chat_id: ChatId,
) -> Result<(), StoreError> {
    match event {
        ChatEvent::TelegramChatLinked(link) => sqlx::query(
            "INSERT INTO telegram_link_claims (telegram_chat_id, telegram_topic_id, chat_id) \
             VALUES ($1, $2, $3)",
        )
        .bind(link.telegram_chat_id)
        .bind(link.telegram_topic_id.unwrap_or(0))
        .bind(chat_id.as_uuid())
        .execute(&mut **tx)
        .await
        .map(|_| ())
        .map_err(|e| match violated_constraint(&e) {
            Some(_) => StoreError::TelegramChatTaken {
                telegram_chat_id: link.telegram_chat_id,
                telegram_topic_id: link.telegram_topic_id,
            },
            None => unavailable(e),
        }),
        ChatEvent::TelegramChatUnlinked(_) | ChatEvent::ChatHardDeleted(_) => {
            sqlx::query("DELETE FROM telegram_link_claims WHERE chat_id = $1")
                .bind(chat_id.as_uuid())
                .execute(&mut **tx)
                .await
                .map(|_| ())
                .map_err(unavailable)
        }
        _ => Ok(()),
    }
}

fn version_i64(version: u64) -> Result<i64, StoreError> {
    i64::try_from(version)
        .map_err(|_| StoreError::Corrupt(anyhow!("version {version} does not fit a BIGINT")))
}
