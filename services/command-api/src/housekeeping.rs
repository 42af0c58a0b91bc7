//! Keeps the write side's bookkeeping tables from growing for ever: outbox rows the relay
//! published long ago (the events table stays the record), and idempotency keys older than
//! the window in which a client may retry a send.
//!
//! Every replica sweeps; two sweeps at once only delete the same rows. Each round deletes
//! in bounded batches so no statement holds many row locks for long.

use std::time::Duration;

use sqlx::PgPool;
use tokio_util::sync::CancellationToken;

/// Rows one statement deletes at most.
const BATCH: i64 = 5_000;

/// How long rows are kept, and how often the sweep runs.
#[derive(Debug, Clone, Copy)]
pub struct Retention {
    /// Published outbox rows older than this go.
    pub outbox: Duration,
    /// Idempotency keys older than this go: a retry after it sends a new message.
    pub idempotency_keys: Duration,
    /// Time between two sweeps.
    pub every: Duration,
}

/// What one sweep deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    /// Published outbox rows.
    pub outbox: u64,
    /// Idempotency keys.
    pub idempotency_keys: u64,
}

/// The sweeper.
#[derive(Debug, Clone)]
pub struct Housekeeper {
    pool: PgPool,
    retention: Retention,
}

impl Housekeeper {
    /// A sweeper of `pool`'s tables.
    #[must_use]
    pub const fn new(pool: PgPool, retention: Retention) -> Self {
        Self { pool, retention }
    }

    /// Sweeps every `retention.every` until `shutdown`; a failed sweep is logged and
    /// tried again next time.
    pub async fn run(self, shutdown: CancellationToken) {
        let mut tick = tokio::time::interval(self.retention.every.max(Duration::from_secs(1)));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                _ = tick.tick() => {}
            }
            match self.sweep().await {
                Ok(swept) if swept != Swept::default() => {
                    tracing::info!(
                        outbox = swept.outbox,
                        idempotency_keys = swept.idempotency_keys,
                        "housekeeping swept"
                    );
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error.message = %e, "housekeeping failed; trying again later")
                }
            }
        }
    }

    /// Deletes what is past its retention now.
    ///
    /// # Errors
    /// When PostgreSQL fails.
    pub async fn sweep(&self) -> Result<Swept, sqlx::Error> {
        let outbox = self
            .delete_in_batches(
                "outbox",
                "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox \
                 WHERE published_at < now() - make_interval(secs => $1) LIMIT $2)",
                self.retention.outbox,
            )
            .await?;
        let idempotency_keys = self
            .delete_in_batches(
                "idempotency_keys",
                "DELETE FROM idempotency_keys WHERE (user_id, idempotency_key) IN \
                 (SELECT user_id, idempotency_key FROM idempotency_keys \
                  WHERE created_at < now() - make_interval(secs => $1) LIMIT $2)",
                self.retention.idempotency_keys,
            )
            .await?;
        Ok(Swept {
            outbox,
            idempotency_keys,
        })
    }

    async fn delete_in_batches(
        &self,
        table: &str,
        sql: &'static str,
        older_than: Duration,
    ) -> Result<u64, sqlx::Error> {
        let mut total = 0;
        loop {
            let deleted = sqlx::query(sql)
                .bind(older_than.as_secs_f64())
                .bind(BATCH)
                .execute(&self.pool)
                .await?
                .rows_affected();
            total += deleted;
            crate::metrics::SWEPT
                .with_label_values(&[table])
                .inc_by(deleted);
            if deleted < u64::try_from(BATCH).unwrap_or(u64::MAX) {
                return Ok(total);
            }
        }
    }
}
