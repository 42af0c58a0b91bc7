//! chat-migrate: applies the PostgreSQL migrations, the CQL schema and the Kafka topics,
//! all of them or one store (Kubernetes runs one Job per store).

use anyhow::Context;
use chat_migrate::topics::TopicSpec;
use chat_migrate::{cql, postgres, topics};
use chat_runtime::config::{CqlConfig, KafkaConfig, LoggingConfig, PgConfig};
use chat_runtime::connect;
use clap::Parser;

/// Applies the schema of every store, or of one; each step is re-runnable.
#[derive(Debug, clap::Parser)]
#[command(name = "chat-migrate", version, about)]
struct Cli {
    /// Which store to migrate.
    #[command(subcommand)]
    step: Step,
    #[command(flatten)]
    logging: LoggingConfig,
}

#[derive(Debug, clap::Subcommand)]
enum Step {
    /// The PostgreSQL migrations of `migrations/`.
    Postgres(PgConfig),
    /// The CQL schema of `cql/`.
    Cql(CqlStep),
    /// The Kafka topics.
    Topics(TopicsStep),
    /// All three, in that order.
    All(AllSteps),
}

#[derive(Debug, clap::Args)]
struct CqlStep {
    #[command(flatten)]
    cql: CqlConfig,
    /// CQL replication map for the keyspace (production: NetworkTopologyStrategy).
    #[arg(long, env = "CQL_REPLICATION", default_value = cql::LOCAL_REPLICATION)]
    cql_replication: String,
}

#[derive(Debug, clap::Args)]
struct TopicsStep {
    #[command(flatten)]
    kafka: KafkaConfig,
    /// Partitions of the events topic (the most consumers one group can use).
    #[arg(long, env = "EVENTS_PARTITIONS", default_value_t = 6)]
    events_partitions: i32,
    /// Replication factor of the topics.
    #[arg(long, env = "TOPIC_REPLICATION", default_value_t = 1)]
    topic_replication: i32,
    /// The gateways' typing topic.
    #[arg(long, env = "TYPING_TOPIC", default_value = "chat.typing")]
    typing_topic: String,
}

#[derive(Debug, clap::Args)]
struct AllSteps {
    #[command(flatten)]
    pg: PgConfig,
    #[command(flatten)]
    cql: CqlStep,
    #[command(flatten)]
    topics: TopicsStep,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    chat_runtime::telemetry::init(&cli.logging)?;
    match cli.step {
        Step::Postgres(pg) => migrate_postgres(&pg).await,
        Step::Cql(step) => migrate_cql(&step).await,
        Step::Topics(step) => create_topics(&step).await,
        Step::All(all) => {
            migrate_postgres(&all.pg).await?;
            migrate_cql(&all.cql).await?;
            create_topics(&all.topics).await
        }
    }
}

async fn migrate_postgres(cfg: &PgConfig) -> anyhow::Result<()> {
    let pool = connect::postgres(cfg).await?;
    postgres::apply(&pool)
        .await
        .context("PostgreSQL migrations failed")?;
    tracing::info!("PostgreSQL migrations applied");
    Ok(())
}

async fn migrate_cql(step: &CqlStep) -> anyhow::Result<()> {
    let session = connect::cql(&step.cql).await?;
    let applied = cql::apply(&session, &step.cql.keyspace, &step.cql_replication).await?;
    tracing::info!(keyspace = %step.cql.keyspace, ?applied, "CQL schema applied");
    Ok(())
}

async fn create_topics(step: &TopicsStep) -> anyhow::Result<()> {
    let spec = |name: String, retention_ms| TopicSpec {
        name,
        partitions: step.events_partitions,
        replication: step.topic_replication,
        retention_ms,
    };
    let wanted = [
        // Kept forever: the topic is the log read models are rebuilt from.
        spec(step.kafka.events_topic.clone(), Some(-1)),
        spec(format!("{}.dlq", step.kafka.events_topic), Some(-1)),
        // Typing signals are worth seconds; the gateway reads only new ones.
        spec(step.typing_topic.clone(), Some(60_000)),
    ];
    let created = topics::ensure(&connect::kafka_client_config(&step.kafka), &wanted).await?;
    tracing::info!(?created, "Kafka topics ensured");
    Ok(())
}
