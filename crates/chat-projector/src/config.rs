//! The settings both projector binaries read from flags or environment variables: one
//! block each service flattens into its own `Config` (which gives it its name).

use chat_runtime::config::{CqlConfig, KafkaConfig, LoggingConfig, OpsConfig, PgConfig};

/// Everything a projector needs to start.
#[derive(Debug, Clone, clap::Args)]
pub struct ProjectorConfig {
    /// Logging.
    #[command(flatten)]
    pub logging: LoggingConfig,
    /// Health and readiness endpoints.
    #[command(flatten)]
    pub ops: OpsConfig,
    /// Read models and checkpoints.
    #[command(flatten)]
    pub pg: PgConfig,
    /// Where the chat events come from.
    #[command(flatten)]
    pub kafka: KafkaConfig,
    /// The message and read-status read models.
    #[command(flatten)]
    pub cql: CqlConfig,
    /// Consumer group, rebuild and retries.
    #[command(flatten)]
    pub projection: ProjectionConfig,
}

/// How a projector consumes: its group, a rebuild, retries and parallelism.
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

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::*;

    /// A binary's config as each service declares it.
    #[derive(Debug, clap::Parser)]
    struct Binary {
        #[command(flatten)]
        projector: ProjectorConfig,
    }

    #[test]
    fn the_flags_are_well_formed_and_only_the_servers_are_required() {
        Binary::command().debug_assert();
        let cfg = Binary::try_parse_from([
            "projector",
            "--ops-addr=127.0.0.1:0",
            "--database-url=postgres://localhost/chat",
            "--kafka-brokers=127.0.0.1:9092",
            "--cql-nodes=127.0.0.1:9042",
        ])
        .expect("parses")
        .projector;
        let p = cfg.projection;
        assert_eq!((p.consumer_group, p.rebuild), (None, None));
        assert_eq!((p.retry_backoff_ms, p.lanes), (200, 6));
    }
}
