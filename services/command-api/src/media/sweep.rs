//! Housekeeping of media: removes the objects nobody may reach any more, then forgets
//! them, every housekeeping interval and at once after a delete that releases some
//! ([`MediaService::release`](super::MediaService::release)). Three kinds, each found in
//! PostgreSQL and removed idempotently (removing an absent object succeeds), so a sweep
//! cut short by an outage is finished by the next; every replica sweeps, and two sweeps
//! at once only remove the same objects:
//!
//! - every object of a hard-deleted chat (`media_purges`, written with the event): one
//!   removal of the prefix `chats/{chat_id}/`;
//! - the object of a deleted message (`message_index` rows with no content and a key);
//! - the object of an upload no message took before it expired, once [`GRACE`] more has
//!   passed (a send that took it just in time has committed by then).

use std::sync::Arc;
use std::time::Duration;

use chat_domain::ChatId;
use chat_domain::chat::chat_object_prefix;
use chat_media::{MediaError, MediaStore};
use sqlx::PgPool;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// How long after its expiry an untaken upload is removed.
pub const GRACE: Duration = Duration::from_secs(600);

/// Rows one round of each kind handles at most (the rest wait for the next sweep).
const BATCH: i64 = 500;

/// Why a media sweep stopped.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// PostgreSQL failed.
    #[error("PostgreSQL failed: {0}")]
    Postgres(#[from] sqlx::Error),
    /// The object store failed.
    #[error(transparent)]
    Store(#[from] MediaError),
}

/// What one media sweep removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweptMedia {
    /// Hard-deleted chats whose objects are gone.
    pub purged_chats: u64,
    /// Deleted messages whose object is gone.
    pub deleted_messages: u64,
    /// Expired uploads no message took.
    pub expired_uploads: u64,
}

/// The media sweeper.
#[derive(Debug, Clone)]
pub struct MediaSweep {
    pool: PgPool,
    store: Arc<dyn MediaStore>,
}

impl MediaSweep {
    /// A sweeper of `pool`'s media rows and `store`'s objects.
    #[must_use]
    pub const fn new(pool: PgPool, store: Arc<dyn MediaStore>) -> Self {
        Self { pool, store }
    }

    /// Sweeps every `every`, and at once when `wake` is notified, until `shutdown`; a
    /// failed sweep is logged and tried again next time.
    pub async fn run(self, every: Duration, wake: Arc<Notify>, shutdown: CancellationToken) {
        let mut tick = tokio::time::interval(every.max(Duration::from_secs(1)));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                _ = tick.tick() => {}
                () = wake.notified() => {}
            }
            match self.sweep().await {
                Ok(swept) if swept != SweptMedia::default() => tracing::info!(
                    purged_chats = swept.purged_chats,
                    deleted_messages = swept.deleted_messages,
                    expired_uploads = swept.expired_uploads,
                    "media housekeeping swept"
                ),
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error.message = %e, "media housekeeping failed; trying again later");
                }
            }
        }
    }

    /// Removes what nobody may reach any more.
    ///
    /// # Errors
    /// When PostgreSQL or the store fails; what was removed before stays removed.
    pub async fn sweep(&self) -> Result<SweptMedia, SweepError> {
        Ok(SweptMedia {
            purged_chats: self.purge_chats().await?,
            deleted_messages: self.deleted_messages().await?,
            expired_uploads: self.expired_uploads().await?,
        })
    }

    async fn purge_chats(&self) -> Result<u64, SweepError> {
        let chats: Vec<Uuid> = sqlx::query_scalar("SELECT chat_id FROM media_purges LIMIT $1")
            .bind(BATCH)
            .fetch_all(&self.pool)
            .await?;
        for chat in &chats {
            let prefix = chat_object_prefix(ChatId::from_uuid(*chat));
            let removed = self.store.delete_prefix(&prefix).await?;
            tracing::info!(chat_id = %chat, removed, "removed a hard-deleted chat's objects");
            sqlx::query("DELETE FROM attachment_uploads WHERE chat_id = $1")
                .bind(chat)
                .execute(&self.pool)
                .await?;
            sqlx::query("DELETE FROM media_purges WHERE chat_id = $1")
                .bind(chat)
                .execute(&self.pool)
                .await?;
        }
        Ok(count(chats.len()))
    }

    async fn deleted_messages(&self) -> Result<u64, SweepError> {
        let rows: Vec<(Uuid, Uuid, String)> = sqlx::query_as(
            "SELECT chat_id, message_id, attachment_key FROM message_index \
             WHERE content IS NULL AND attachment_key IS NOT NULL LIMIT $1",
        )
        .bind(BATCH)
        .fetch_all(&self.pool)
        .await?;
        for (chat, message, key) in &rows {
            self.store.delete(key).await?;
            sqlx::query("DELETE FROM attachment_uploads WHERE object_key = $1")
                .bind(key)
                .execute(&self.pool)
                .await?;
            sqlx::query(
                "UPDATE message_index SET attachment_key = NULL \
                 WHERE chat_id = $1 AND message_id = $2",
            )
            .bind(chat)
            .bind(message)
            .execute(&self.pool)
            .await?;
        }
        Ok(count(rows.len()))
    }

    async fn expired_uploads(&self) -> Result<u64, SweepError> {
        let rows: Vec<(Uuid, String)> = sqlx::query_as(
            "SELECT upload_id, object_key FROM attachment_uploads \
             WHERE message_id IS NULL AND expires_at < now() - make_interval(secs => $1) \
             LIMIT $2",
        )
        .bind(GRACE.as_secs_f64())
        .bind(BATCH)
        .fetch_all(&self.pool)
        .await?;
        for (upload, key) in &rows {
            self.store.delete(key).await?;
            sqlx::query(
                "DELETE FROM attachment_uploads WHERE upload_id = $1 AND message_id IS NULL",
            )
            .bind(upload)
            .execute(&self.pool)
            .await?;
        }
        Ok(count(rows.len()))
    }
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}
