//! The application around the handler: connections, the optional rebuild, the
//! at-least-once consumer and the health endpoints. The offset is stored only after an
//! event was applied (chat-kafka), so nothing is lost or doubled.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chat_kafka::{ConsumerSettings, DeadLetters, EventConsumer, StartFrom, dead_letter::topic_for};
use chat_read_model::cql::CqlReadModels;
use chat_read_model::pg::PgReadModels;
use chat_read_model::{MessageStore, RowStore};
use chat_runtime::connect;
use chat_runtime::health::Readiness;
use tokio_util::sync::CancellationToken;

use crate::config::ProjectorConfig;
use crate::handler::ProjectionHandler;
use crate::service::Service;

/// A projector with its consumer, stores and health endpoints.
#[derive(Debug)]
pub struct ProjectorApp {
    consumer: EventConsumer,
    handler: ProjectionHandler<PgReadModels, CqlReadModels>,
    ops_addr: SocketAddr,
    readiness: Readiness,
}

impl ProjectorApp {
    /// Connects to the dependencies (failing fast when one does not answer), empties the
    /// read models first when `--rebuild` asks for it, and subscribes `service`'s
    /// consumer group.
    ///
    /// # Errors
    /// When a dependency does not answer or the CQL tables are missing.
    pub async fn build(service: Service, cfg: &ProjectorConfig) -> anyhow::Result<Self> {
        let (kafka, cql, projection) = (&cfg.kafka, &cfg.cql, &cfg.projection);
        let timeout = cfg.ops.ready_timeout();
        let pool = connect::postgres(&cfg.pg).await?;
        let session = Arc::new(connect::cql(cql).await?);
        let rows = PgReadModels::new(pool.clone());
        let messages = CqlReadModels::new(Arc::clone(&session), &cql.keyspace)
            .await
            .context("cannot prepare the CQL statements (is the schema applied?)")?;
        let mut group = projection
            .consumer_group
            .clone()
            .unwrap_or_else(|| service.name.to_owned());
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
                retry_backoff: Duration::from_millis(projection.retry_backoff_ms.max(1)),
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
            handler: ProjectionHandler::new(service.projector, rows, messages),
            ops_addr: cfg.ops.addr,
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
        tracing::info!(addr = %self.ops_addr, projector = self.handler.projector().as_str(), "projecting");
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
