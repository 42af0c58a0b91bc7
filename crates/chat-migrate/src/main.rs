//! chat-migrate: applies the PostgreSQL migrations, the CQL schema and the Kafka topics.

use anyhow::Context;
use chat_migrate::topics::TopicSpec;
use chat_migrate::{cql, postgres, topics};
use chat_runtime::config::{CqlConfig, KafkaConfig, LoggingConfig, PgConfig};
use chat_runtime::connect;
use clap::Parser;

/// Applies the schema of every store; each step is re-runnable.
#[derive(Debug, clap::Parser)]
#[command(name = "chat-migrate", version, about)]
struct Config {
    #[command(flatten)]
    logging: LoggingConfig,
    #[command(flatten)]
    pg: PgConfig,
    #[command(flatten)]
    kafka: KafkaConfig,
    #[command(flatten)]
    cql: CqlConfig,
    /// CQL replication map for the keyspace (production: NetworkTopologyStrategy).
    #[arg(long, env = "CQL_REPLICATION", default_value = cql::LOCAL_REPLICATION)]
    cql_replication: String,
    /// Partitions of the events topic.
    #[arg(long, env = "EVENTS_PARTITIONS", default_value_t = 6)]
    events_partitions: i32,
    /// Replication factor of the topics.
    #[arg(long, env = "TOPIC_REPLICATION", default_value_t = 1)]
    topic_replication: i32,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cfg = Config::parse();
    chat_runtime::telemetry::init(&cfg.logging)?;

    let pool = connect::postgres(&cfg.pg).await?;
    postgres::apply(&pool)
        .await
        .context("PostgreSQL migrations failed")?;
    tracing::info!("PostgreSQL migrations applied");

    let session = connect::cql(&cfg.cql).await?;
    let applied = cql::apply(&session, &cfg.cql.keyspace, &cfg.cql_replication).await?;
    tracing::info!(keyspace = %cfg.cql.keyspace, ?applied, "CQL schema applied");

    let spec = |name: String| TopicSpec {
        name,
        partitions: cfg.events_partitions,
        replication: cfg.topic_replication,
    };
    let wanted = [
        spec(cfg.kafka.events_topic.clone()),
        spec(format!("{}.dlq", cfg.kafka.events_topic)),
    ];
    let created = topics::ensure(&connect::kafka_client_config(&cfg.kafka), &wanted).await?;
    tracing::info!(?created, "Kafka topics ensured");
    Ok(())
}
