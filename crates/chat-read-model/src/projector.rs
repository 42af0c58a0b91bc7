//! The projector runtime both projectors run: the Kafka handler that applies each event
//! ([`crate::apply`]), and the application around it (consumer, rebuild, health). The
//! offset is stored only after an event was applied (chat-kafka), so nothing is lost or
//! doubled. Each event's projection is the `project` hop of the SYNC path
//! (`chat_sync_hop_seconds{hop="project"}`, see [`chat_runtime::hops`]).

use std::net::SocketAddr;
use std::sync::{Arc, LazyLock};
use std::time::Instant;

use anyhow::Context;
use chat_kafka::{
    ConsumerSettings, DeadLetters, EventConsumer, EventHandler, HandlerError, ReceivedEvent,
    StartFrom, dead_letter::topic_for,
};
use chat_runtime::config::{CqlConfig, KafkaConfig, OpsConfig, PgConfig};
use chat_runtime::connect;
use chat_runtime::health::Readiness;
use chat_runtime::hops;
use chat_runtime::metrics::counter_vec;
use prometheus::IntCounterVec;
use tokio_util::sync::CancellationToken;

use crate::apply::{ApplyError, apply_event};
use crate::cql::CqlReadModels;
use crate::pg::PgReadModels;
use crate::plan::Projector;
use crate::ports::{MessageStore, RowStore, StoreError};

/// Row writes by projector and outcome: `applied`, or `redelivered` (the checkpoint was
/// already there; latency and lag are chat-kafka's `chat_event_handle_seconds` and
/// `chat_consumer_lag`).
static WRITES: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "chat_projection_writes_total",
        "Projection transactions by projector and outcome (applied, redelivered).",
        &["projector", "outcome"],
    )
});

/// Projector settings shared by both binaries (flattened into their `Config`).
#[derive(Debug, Clone, clap::Args)]
pub struct ProjectionConfig {
    /// The Kafka consumer group (default `projector-sync` / `projector-async`).
    #[arg(long, env = "CONSUMER_GROUP")]
    pub consumer_group: Option<String>,
    /// Rebuild the read models: empty them (once per id, whichever projector comes first)
    /// and replay the topic from the start in the fresh group `<group>.rebuild.<id>`.
    /// Start both projectors with the same id.
    #[arg(long, env = "REBUILD_ID")]
    pub rebuild: Option<String>,
    /// First wait before retrying an event whose store failed, in milliseconds.
    #[arg(long, env = "RETRY_BACKOFF_MS", default_value_t = 200)]
    pub retry_backoff_ms: u64,
    /// Partitions projected at once (each chat's events stay in order: a chat lives in
    /// one partition). More than the topic's partitions add nothing.
    #[arg(long, env = "PROJECTION_LANES", default_value_t = 6)]
    pub lanes: usize,
}

/// Applies each event's plan for one projector.
#[derive(Debug)]
pub struct ProjectionHandler<R, M> {
    projector: Projector,
    rows: R,
    messages: M,
}

impl<R: RowStore, M: MessageStore> ProjectionHandler<R, M> {
    /// A handler for `projector` writing to `rows` and `messages`.
    pub const fn new(projector: Projector, rows: R, messages: M) -> Self {
        Self {
            projector,
            rows,
            messages,
        }
    }
}

fn failure(e: StoreError) -> HandlerError {
    match e {
        // A value we cannot read back will not improve by retrying.
        StoreError::Corrupt(_) => HandlerError::Permanent(e.into()),
        StoreError::Postgres(_) | StoreError::Cql(_) => HandlerError::Transient(e.into()),
    }
}

impl<R: RowStore, M: MessageStore> EventHandler for ProjectionHandler<R, M> {
    async fn handle(&self, event: &ReceivedEvent) -> Result<(), HandlerError> {
        let envelope = &event.envelope;
        let started = Instant::now();
        let applied = apply_event(&self.rows, &self.messages, self.projector, envelope)
            .await
            .map_err(|e| match e {
                ApplyError::Plan(e) => HandlerError::Permanent(e.into()),
                ApplyError::Store(e) => failure(e),
                // projector-sync will get there: try again.
                e @ ApplyError::CreationNotProjected(_) => HandlerError::Transient(e.into()),
            })?;
        hops::observe_duration(hops::PROJECT, started.elapsed());
        if let Some(applied) = applied {
            let outcome = if applied { "applied" } else { "redelivered" };
            WRITES
                .with_label_values(&[self.projector.as_str(), outcome])
                .inc();
            tracing::debug!(chat_id = %envelope.chat_id, version = envelope.version, outcome, event_type = %envelope.event_type, "projected");
        }
        Ok(())
    }
}

/// A projector with its consumer, stores and health endpoints.
#[derive(Debug)]
pub struct ProjectorApp {
    consumer: EventConsumer,
    handler: ProjectionHandler<PgReadModels, CqlReadModels>,
    ops_addr: SocketAddr,
    readiness: Readiness,
}

impl ProjectorApp {
    /// Connects, rebuilds when asked, and subscribes.
    ///
    /// # Errors
    /// When a dependency does not answer or the CQL tables are missing.
    pub async fn build(
        projector: Projector,
        pg: &PgConfig,
        kafka: &KafkaConfig,
        cql: &CqlConfig,
        ops: &OpsConfig,
        projection: &ProjectionConfig,
    ) -> anyhow::Result<Self> {
        let timeout = ops.ready_timeout();
        let pool = connect::postgres(pg).await?;
        let session = Arc::new(connect::cql(cql).await?);
        let rows = PgReadModels::new(pool.clone());
        let messages = CqlReadModels::new(Arc::clone(&session), &cql.keyspace)
            .await
            .context("cannot prepare the CQL statements (is the schema applied?)")?;
        let mut group = projection
            .consumer_group
            .clone()
            .unwrap_or_else(|| format!("projector-{}", projector.as_str()));
        if let Some(id) = &projection.rebuild {
            let emptied = rows
                .reset_once(id, messages.truncate())
                .await
                .context("cannot empty the read models for the rebuild")?;
            tracing::info!(rebuild_id = %id, emptied, "rebuilding the read models");
            group = format!("{group}.rebuild.{id}");
        }
        let client = connect::kafka_client_config(kafka);
        let dead_letters = DeadLetters::new(&client, topic_for(&kafka.events_topic))?;
        let consumer = EventConsumer::new(
            &client,
            ConsumerSettings {
                group_id: group,
                topic: kafka.events_topic.clone(),
                start: StartFrom::Earliest,
                commit: true,
                retry_backoff: std::time::Duration::from_millis(projection.retry_backoff_ms.max(1)),
                lanes: projection.lanes,
            },
            Some(dead_letters),
        )?;
        let readiness = Readiness::default()
            .postgres(pool, timeout)
            .cql(session, timeout)
            .kafka(kafka.clone(), timeout);
        Ok(Self {
            consumer,
            handler: ProjectionHandler::new(projector, rows, messages),
            ops_addr: ops.addr,
            readiness,
        })
    }

    /// Projects until `shutdown` fires: the event in flight is finished (or left for
    /// redelivery) and the handled offsets are committed.
    ///
    /// # Errors
    /// When the operations server cannot listen.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        let mut ops = tokio::spawn(chat_runtime::ops::serve(
            self.ops_addr,
            self.readiness,
            shutdown.clone(),
        ));
        tracing::info!(addr = %self.ops_addr, projector = self.handler.projector.as_str(), "projecting");
        let consume = self.consumer.run(&self.handler, shutdown.clone());
        tokio::pin!(consume);
        tokio::select! {
            () = &mut consume => {}
            served = &mut ops => {
                // The operations server stopped early (its port is taken): stop consuming
                // cleanly (commit what was handled) and report why.
                shutdown.cancel();
                consume.await;
                served.context("the operations server panicked")??;
                return Ok(());
            }
        }
        ops.await.context("the operations server panicked")??;
        Ok(())
    }
}
