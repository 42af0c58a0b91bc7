//! The outbox relay: publishes the events that command-api stored, in the order it stored
//! them, to the Kafka events topic (record key = chat id, so each chat stays ordered).
//!
//! One relay publishes at a time across all replicas: it holds a PostgreSQL advisory lock,
//! and the others wait for it. Publishing is ordered per chat because rows are read in id
//! order (ids follow commit order of appends per chat, which the version key serialises),
//! sent through an idempotent producer, and marked published only once Kafka acknowledged
//! them. While Kafka is down the producer keeps the records and retries (no delivery
//! timeout), so commands keep succeeding and their events wait in the outbox.
//!
//! It observes two hops of the SYNC path: `outbox_pickup` (a row's `created_at` until the
//! relay read it, on the database's clock) and `produce_ack` (a record handed to the
//! producer until Kafka acknowledged it).

use std::time::{Duration, Instant};

use chat_runtime::hops;

use futures_util::future::join_all;
use rdkafka::ClientConfig;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use sqlx::PgPool;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgListener, Postgres};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::metrics::{OUTBOX_BACKLOG, PUBLISHED};

/// The PostgreSQL channel appends notify, so the relay wakes at once.
pub const OUTBOX_CHANNEL: &str = "chat_outbox";

/// Advisory lock key held by the one active relay ("chatrlay" as ASCII bytes).
const RELAY_LOCK_KEY: i64 = 0x6368_6174_726c_6179;

/// Something the relay could not do; it logs it and tries again.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// PostgreSQL failed.
    #[error("outbox query failed: {0}")]
    Postgres(#[from] sqlx::Error),
    /// Kafka refused a record for good (e.g. too large); the rows after it wait.
    #[error("Kafka refused outbox row {id}: {reason}")]
    Kafka {
        /// The outbox row.
        id: i64,
        /// librdkafka's reason.
        reason: String,
    },
}

/// Relay settings.
#[derive(Debug, Clone)]
pub struct RelaySettings {
    /// The topic events are published to.
    pub topic: String,
    /// Rows published per round.
    pub batch_size: i64,
    /// How often the relay looks at the outbox without a notification.
    pub poll_interval: Duration,
}

/// Publishes the outbox to Kafka.
pub struct OutboxRelay {
    pool: PgPool,
    producer: FutureProducer,
    settings: RelaySettings,
}

impl std::fmt::Debug for OutboxRelay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxRelay")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

#[derive(sqlx::FromRow)]
struct OutboxRow {
    id: i64,
    chat_id: Uuid,
    event_type: String,
    envelope: String,
    trace_context: sqlx::types::Json<Vec<(String, String)>>,
    /// Seconds from the row's `created_at` until this read (the `outbox_pickup` hop).
    waited: f64,
}

impl OutboxRelay {
    /// A relay over `pool` producing with `client` settings (an idempotent producer).
    ///
    /// # Errors
    /// When the producer cannot be created from the settings.
    pub fn new(
        pool: PgPool,
        client: &ClientConfig,
        settings: RelaySettings,
    ) -> Result<Self, rdkafka::error::KafkaError> {
        let producer = client
            .clone()
            .set("enable.idempotence", "true")
            .set("acks", "all")
            // Never give up on a record: while Kafka is down it waits in librdkafka's
            // queue and in the outbox, and is delivered, once and in order, when Kafka
            // returns.
            .set("message.timeout.ms", "0")
            .set("linger.ms", "2")
            .create()?;
        Ok(Self {
            pool,
            producer,
            settings,
        })
    }

    /// Runs until `shutdown` fires: waits to become the active relay, then publishes
    /// whatever is in the outbox whenever an append notifies or the poll interval passes.
    pub async fn run(self, shutdown: CancellationToken) {
        while !shutdown.is_cancelled() {
            if let Err(e) = self.lead(&shutdown).await {
                tracing::warn!(error.message = %e, "outbox relay interrupted; retrying");
                tokio::select! {
                    () = shutdown.cancelled() => {}
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
        }
    }

    /// Holds the leader lock and publishes until shutdown or an error.
    async fn lead(&self, shutdown: &CancellationToken) -> Result<(), RelayError> {
        let mut lock = self.pool.acquire().await?;
        while !try_lock(&mut lock).await? {
            tokio::select! {
                () = shutdown.cancelled() => return Ok(()),
                () = tokio::time::sleep(self.settings.poll_interval * 4) => {}
            }
        }
        tracing::info!("this replica is the active outbox relay");
        let mut listener = PgListener::connect_with(&self.pool).await?;
        listener.listen(OUTBOX_CHANNEL).await?;
        let result = loop {
            match self.publish_batch().await {
                // A full batch means more may wait: go again at once.
                Ok(n) if n as i64 == self.settings.batch_size => continue,
                Ok(_) => {}
                Err(e) => break Err(e),
            }
            tokio::select! {
                () = shutdown.cancelled() => break Ok(()),
                notified = listener.recv() => { notified?; }
                () = tokio::time::sleep(self.settings.poll_interval) => {}
            }
        };
        // Released explicitly so another replica takes over at once; if this connection
        // died instead, PostgreSQL released the lock with it.
        let _ = sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(RELAY_LOCK_KEY)
            .execute(&mut *lock)
            .await;
        result
    }

    /// Publishes one batch of unpublished rows in id order and marks the acknowledged ones.
    /// Returns how many were published.
    ///
    /// # Errors
    /// When PostgreSQL fails or Kafka refuses a record for good.
    pub async fn publish_batch(&self) -> Result<usize, RelayError> {
        let rows: Vec<OutboxRow> = sqlx::query_as(
            "SELECT id, chat_id, envelope->>'event_type' AS event_type, envelope::text AS envelope, \
             trace_context, EXTRACT(EPOCH FROM clock_timestamp() - created_at)::float8 AS waited \
             FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1",
        )
        .bind(self.settings.batch_size)
        .fetch_all(&self.pool)
        .await?;
        self.measure_backlog(rows.len()).await;
        if rows.is_empty() {
            return Ok(0);
        }
        for row in &rows {
            hops::observe(hops::OUTBOX_PICKUP, row.waited);
        }
        let deliveries = rows.iter().map(|row| self.send(row));
        let outcomes = join_all(deliveries).await;
        // Only the prefix up to the first refusal is marked, so nothing is published out
        // of order: the rest are sent again next round.
        let mut published = Vec::with_capacity(rows.len());
        let mut refused = None;
        for (row, outcome) in rows.iter().zip(outcomes) {
            match outcome {
                Ok(()) => published.push(row.id),
                Err(reason) => {
                    refused = Some(RelayError::Kafka { id: row.id, reason });
                    break;
                }
            }
        }
        sqlx::query("UPDATE outbox SET published_at = now() WHERE id = ANY($1)")
            .bind(&published)
            .execute(&self.pool)
            .await?;
        PUBLISHED
            .with_label_values(&[self.settings.topic.as_str()])
            .inc_by(published.len() as u64);
        match refused {
            Some(e) => Err(e),
            None => Ok(published.len()),
        }
    }

    /// Updates the backlog gauge: exact when the batch held everything, else counted.
    async fn measure_backlog(&self, fetched: usize) {
        let backlog = if (fetched as i64) < self.settings.batch_size {
            Ok(fetched as i64)
        } else {
            sqlx::query_scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL")
                .fetch_one(&self.pool)
                .await
        };
        match backlog {
            Ok(n) => OUTBOX_BACKLOG
                .with_label_values(&[self.settings.topic.as_str()])
                .set(n),
            Err(e) => tracing::debug!(error.message = %e, "outbox backlog not measured"),
        }
    }

    async fn send(&self, row: &OutboxRow) -> Result<(), String> {
        let key = row.chat_id.to_string();
        let mut headers = OwnedHeaders::new().insert(Header {
            key: "event_type",
            value: Some(row.event_type.as_bytes()),
        });
        for (name, value) in row.trace_context.iter() {
            headers = headers.insert(Header {
                key: name.as_str(),
                value: Some(value.as_bytes()),
            });
        }
        let record = FutureRecord::to(&self.settings.topic)
            .key(&key)
            .payload(&row.envelope)
            .headers(headers);
        let sent = Instant::now();
        self.producer
            .send(record, rdkafka::util::Timeout::Never)
            .await
            .map(|_| hops::observe_duration(hops::PRODUCE_ACK, sent.elapsed()))
            .map_err(|(e, _)| e.to_string())
    }
}

async fn try_lock(conn: &mut PoolConnection<Postgres>) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(RELAY_LOCK_KEY)
        .fetch_one(&mut **conn)
        .await
}
