//! command-api configuration: flags or environment variables.

use std::net::SocketAddr;

use chat_runtime::config::{CqlConfig, KafkaConfig, LoggingConfig, PgConfig};

/// Everything command-api needs to start.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "command-api", version, about)]
pub struct Config {
    /// Address the REST API (and its health endpoints) listen on.
    #[arg(long, env = "HTTP_ADDR", default_value = "127.0.0.1:8080")]
    pub http_addr: SocketAddr,
    /// Logging.
    #[command(flatten)]
    pub logging: LoggingConfig,
    /// The event store, outbox and relational read models.
    #[command(flatten)]
    pub pg: PgConfig,
    /// Where the outbox relay publishes events.
    #[command(flatten)]
    pub kafka: KafkaConfig,
    /// The message and read-status read models.
    #[command(flatten)]
    pub cql: CqlConfig,
    /// How long a readiness probe waits for each dependency, in milliseconds.
    #[arg(long, env = "READY_TIMEOUT_MS", default_value_t = 2000)]
    pub ready_timeout_ms: u64,
}
