//! telegram-bridge configuration: flags or environment variables.

use chat_runtime::config::{KafkaConfig, LoggingConfig, OpsConfig, PgConfig};

/// Everything telegram-bridge needs to start.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "telegram-bridge", version, about)]
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
}
