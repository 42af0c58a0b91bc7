//! Configuration blocks shared by the services, flattened into each service's `Config`.

use std::net::SocketAddr;
use std::time::Duration;

/// How the service logs.
#[derive(Debug, Clone, clap::Args)]
pub struct LoggingConfig {
    /// Log filter in `tracing` EnvFilter syntax, e.g. `info,sqlx=warn`.
    #[arg(
        long = "log-filter",
        env = "LOG_FILTER",
        default_value = "info,scylla=warn"
    )]
    pub filter: String,
    /// Log line format: `text` for terminals, `json` for log collectors.
    #[arg(long = "log-format", env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub format: LogFormat,
    /// OTLP (gRPC) collector to export traces to, e.g. `http://otel-collector:4317`.
    /// Tracing export is off when unset.
    #[arg(long = "otlp-endpoint", env = "OTEL_EXPORTER_OTLP_ENDPOINT")]
    pub otlp_endpoint: Option<String>,
    /// The service name on exported spans (default: the binary's name).
    #[arg(long = "service-name", env = "OTEL_SERVICE_NAME")]
    pub service_name: Option<String>,
}

/// The shape of log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Where PostgreSQL is.
#[derive(Debug, Clone, clap::Args)]
pub struct PgConfig {
    /// PostgreSQL connection URL.
    #[arg(long = "database-url", env = "DATABASE_URL")]
    pub url: String,
    /// Largest number of pooled connections.
    #[arg(
        long = "pg-max-connections",
        env = "PG_MAX_CONNECTIONS",
        default_value_t = 10
    )]
    pub max_connections: u32,
}

/// Where Kafka is, and the topic the chat events travel on.
#[derive(Debug, Clone, clap::Args)]
pub struct KafkaConfig {
    /// Comma-separated bootstrap brokers, e.g. `127.0.0.1:9092`.
    #[arg(long = "kafka-brokers", env = "KAFKA_BROKERS")]
    pub brokers: String,
    /// The topic that carries every chat event, keyed by chat id.
    #[arg(
        long = "events-topic",
        env = "CHAT_EVENTS_TOPIC",
        default_value = "chat.events"
    )]
    pub events_topic: String,
}

/// Where the CQL store (ScyllaDB, or Cassandra locally) is.
#[derive(Debug, Clone, clap::Args)]
pub struct CqlConfig {
    /// Comma-separated contact points, e.g. `127.0.0.1:9042`.
    #[arg(long = "cql-nodes", env = "CQL_NODES", value_delimiter = ',')]
    pub nodes: Vec<String>,
    /// The keyspace holding the messages and read status tables.
    #[arg(long = "cql-keyspace", env = "CQL_KEYSPACE", default_value = "chat")]
    pub keyspace: String,
}

/// The operations HTTP listener (health, readiness).
#[derive(Debug, Clone, clap::Args)]
pub struct OpsConfig {
    /// Address the health and readiness endpoints listen on.
    #[arg(long = "ops-addr", env = "OPS_ADDR")]
    pub addr: SocketAddr,
    /// How long one readiness probe may wait for a dependency.
    #[arg(
        long = "ready-timeout-ms",
        env = "READY_TIMEOUT_MS",
        default_value_t = 2000
    )]
    pub ready_timeout_ms: u64,
}

impl OpsConfig {
    /// The readiness probe's per-dependency timeout.
    pub fn ready_timeout(&self) -> Duration {
        Duration::from_millis(self.ready_timeout_ms)
    }
}
