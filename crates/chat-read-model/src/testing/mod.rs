//! Test support for crates that run the read side: a realistic event stream (pure), the
//! stores one projector run writes to, projectors as child processes (in this process:
//! `chat_projector::testing`), completion, and a comparable snapshot of every read model.
//! What only tests need of the servers (fresh keyspaces and topics, producing events) is
//! `chat-test-kit`'s, which no product crate depends on.

mod workload;

use std::collections::BTreeMap;
use std::process::{Child, Command};
use std::time::Duration;

use chat_domain::{ChatId, Envelope};
use chat_runtime::config::{CqlConfig, KafkaConfig, PgConfig};
use futures_util::TryStreamExt;
use scylla::client::session::Session;
use sqlx::PgPool;

use crate::Projector;
use crate::plan::plan;

pub use workload::workload;

/// The stores one projector run writes to.
#[derive(Debug, Clone)]
pub struct Stores {
    /// PostgreSQL.
    pub pg: PgConfig,
    /// Kafka and the events topic.
    pub kafka: KafkaConfig,
    /// The CQL servers and keyspace.
    pub cql: CqlConfig,
}

impl Stores {
    /// The command-line flags naming these stores.
    #[must_use]
    pub fn args(&self) -> Vec<String> {
        vec![
            format!("--database-url={}", self.pg.url),
            format!("--kafka-brokers={}", self.kafka.brokers),
            format!("--events-topic={}", self.kafka.events_topic),
            format!("--cql-nodes={}", self.cql.nodes.join(",")),
            format!("--cql-keyspace={}", self.cql.keyspace),
            "--ops-addr=127.0.0.1:0".to_owned(),
        ]
    }
}

/// A projector binary running as a child process; killed (SIGKILL) when dropped.
#[derive(Debug)]
pub struct ChildProjector {
    child: Child,
}

impl ChildProjector {
    /// Starts `binary` with `args`.
    ///
    /// # Errors
    /// When it cannot be started.
    pub fn spawn(binary: &str, args: &[String]) -> std::io::Result<Self> {
        let child = Command::new(binary)
            .args(args)
            .env("LOG_FILTER", "warn")
            .spawn()?;
        Ok(Self { child })
    }

    /// `kill -9`, and reaps it.
    pub fn kill(&mut self) {
        // Already gone is fine: the point is that it is not running.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ChildProjector {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Where each projector's checkpoints end for `envelopes`: per chat, the version of the
/// last event the projector writes rows for.
#[must_use]
pub fn final_checkpoints(envelopes: &[Envelope], projector: Projector) -> BTreeMap<ChatId, u64> {
    let mut last = BTreeMap::new();
    for envelope in envelopes {
        if plan(projector, &envelope.payload).is_ok_and(|p| !p.rows.is_empty()) {
            last.insert(envelope.chat_id, envelope.version);
        }
    }
    last
}

/// The sum of a projector's checkpoints: its progress over all chats.
///
/// # Errors
/// When PostgreSQL fails.
pub async fn progress(pool: &PgPool, projector: Projector) -> anyhow::Result<u64> {
    let sum: i64 = sqlx::query_scalar(
        "SELECT COALESCE(SUM(version), 0)::BIGINT FROM projection_checkpoints WHERE projector = $1",
    )
    .bind(projector.as_str())
    .fetch_one(pool)
    .await?;
    Ok(u64::try_from(sum).unwrap_or(0))
}

/// Polls until a projector's progress reaches `target` (or `deadline` passes: an error).
///
/// # Errors
/// When the deadline passes first or PostgreSQL fails.
pub async fn wait_for_progress(
    pool: &PgPool,
    projector: Projector,
    target: u64,
    deadline: Duration,
) -> anyhow::Result<()> {
    let until = tokio::time::Instant::now() + deadline;
    loop {
        let now = progress(pool, projector).await?;
        if now >= target {
            return Ok(());
        }
        anyhow::ensure!(
            tokio::time::Instant::now() < until,
            "{} reached {now} of {target} in {deadline:?}",
            projector.as_str()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every read model as sorted text lines: equal snapshots mean equal read models (rows,
/// counters, cells), independent of when and in which order they were written.
///
/// # Errors
/// When a store fails.
pub async fn snapshot(
    pool: &PgPool,
    session: &Session,
    keyspace: &str,
) -> anyhow::Result<Vec<String>> {
    let mut lines = Vec::new();
    for (table, volatile) in [
        ("chats", "updated_at"),
        ("chat_participants", ""),
        ("chat_telegram_links", ""),
        ("chat_read_positions", ""),
        ("projection_checkpoints", "applied_at"),
    ] {
        let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT '{table} ' || (to_jsonb(t) - '{volatile}')::text FROM {table} t"
        )))
        .fetch_all(pool)
        .await?;
        lines.extend(rows);
    }
    for table in ["messages", "message_read_status"] {
        let mut rows = session
            .query_iter(format!("SELECT * FROM {keyspace}.{table}"), &[])
            .await?
            .rows_stream::<scylla::value::Row>()?;
        while let Some(row) = rows.try_next().await? {
            lines.push(format!("{table} {:?}", row.columns));
        }
    }
    lines.sort();
    Ok(lines)
}
