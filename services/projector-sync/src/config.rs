//! projector-sync configuration: flags or environment variables.

use chat_read_model::projector::ProjectionConfig;
use chat_runtime::config::{CqlConfig, KafkaConfig, LoggingConfig, OpsConfig, PgConfig};

/// Everything projector-sync needs to start.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "projector-sync", version, about)]
pub struct Config {
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
