//! Opening connections to the three servers from their config blocks, and asking each
//! whether it answers (the readiness probes). The Kafka half is behind the default
//! feature `kafka`, so a crate that only reads PostgreSQL and CQL does not build
//! librdkafka.

#[cfg(feature = "kafka")]
use std::sync::Arc;
use std::time::Duration;

#[cfg(feature = "kafka")]
use rdkafka::ClientConfig;
#[cfg(feature = "kafka")]
use rdkafka::consumer::{BaseConsumer, Consumer};
use scylla::client::session::Session;
use scylla::client::session_builder::SessionBuilder;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

#[cfg(feature = "kafka")]
use crate::config::KafkaConfig;
use crate::config::{CqlConfig, PgConfig};

/// A dependency that could not be reached.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// PostgreSQL refused or did not answer.
    #[error("PostgreSQL is unreachable: {0}")]
    Postgres(#[source] sqlx::Error),
    /// The CQL store refused or did not answer.
    #[error("the CQL store is unreachable: {0}")]
    Cql(String),
    /// Kafka refused or did not answer.
    #[cfg(feature = "kafka")]
    #[error("Kafka is unreachable: {0}")]
    Kafka(#[source] rdkafka::error::KafkaError),
    /// The probe ran out of time.
    #[error("{0} did not answer within {1:?}")]
    Timeout(&'static str, Duration),
    /// The dependency answered, and refused (e.g. an account signed out).
    #[error("{0} refused: {1}")]
    Refused(&'static str, String),
}

/// Opens a PostgreSQL pool; the first connection is made at once so a wrong URL fails here.
///
/// # Errors
/// [`ConnectError::Postgres`] when no connection can be made.
pub async fn postgres(cfg: &PgConfig) -> Result<PgPool, ConnectError> {
    PgPoolOptions::new()
        .max_connections(cfg.max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .connect(&cfg.url)
        .await
        .map_err(ConnectError::Postgres)
}

/// Opens a CQL session to the contact points (without selecting a keyspace: statements
/// name their keyspace, so one session serves any of them).
///
/// The driver keeps only what routing needs of the schema: the replication of the
/// configured keyspace. By default it reads every keyspace's tables, columns and types
/// when it connects and again after schema changes anywhere on the cluster; no code of
/// ours reads that copy, and a cluster shared by many keyspaces (a test run creates
/// dozens) makes every session pay for all of them.
///
/// # Errors
/// [`ConnectError::Cql`] when no contact point answers.
pub async fn cql(cfg: &CqlConfig) -> Result<Session, ConnectError> {
    SessionBuilder::new()
        .known_nodes(&cfg.nodes)
        .keyspaces_to_fetch([cfg.keyspace.as_str()])
        .fetch_full_schema_metadata(false)
        .connection_timeout(Duration::from_secs(5))
        .build()
        .await
        .map_err(|e| ConnectError::Cql(e.to_string()))
}

/// The librdkafka settings every client of ours starts from.
#[cfg(feature = "kafka")]
pub fn kafka_client_config(cfg: &KafkaConfig) -> ClientConfig {
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", &cfg.brokers)
        // Loopback and in-cluster brokers answer in milliseconds; fail fast instead of the
        // default minute so readiness and start-up errors surface promptly.
        .set("socket.timeout.ms", "10000");
    config
}

/// Asks PostgreSQL a trivial query.
///
/// # Errors
/// When the query fails or takes longer than `timeout`.
pub async fn probe_postgres(pool: &PgPool, timeout: Duration) -> Result<(), ConnectError> {
    tokio::time::timeout(timeout, sqlx::query("SELECT 1").execute(pool))
        .await
        .map_err(|_| ConnectError::Timeout("PostgreSQL", timeout))?
        .map(|_| ())
        .map_err(ConnectError::Postgres)
}

/// Asks the CQL store for its release version.
///
/// # Errors
/// When the query fails or takes longer than `timeout`.
pub async fn probe_cql(session: &Session, timeout: Duration) -> Result<(), ConnectError> {
    tokio::time::timeout(
        timeout,
        session.query_unpaged("SELECT release_version FROM system.local", &[]),
    )
    .await
    .map_err(|_| ConnectError::Timeout("the CQL store", timeout))?
    .map(|_| ())
    .map_err(|e| ConnectError::Cql(e.to_string()))
}

/// A Kafka client kept for readiness probes. One is made on first use and kept: a client
/// costs librdkafka threads and a broker connection, too much to make every refresh.
#[cfg(feature = "kafka")]
#[derive(Clone, Default)]
pub struct KafkaProbe {
    client: Arc<tokio::sync::Mutex<Option<Arc<BaseConsumer>>>>,
}

#[cfg(feature = "kafka")]
impl std::fmt::Debug for KafkaProbe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaProbe").finish_non_exhaustive()
    }
}

#[cfg(feature = "kafka")]
impl KafkaProbe {
    /// Asks Kafka for the metadata of the events topic, with the kept client (made now
    /// if there is none yet). librdkafka's metadata call blocks its thread, so it runs on
    /// the blocking pool; the client's event queue is served after it, so nothing piles
    /// up between probes.
    ///
    /// # Errors
    /// When the client cannot be made or the brokers do not answer within `timeout`.
    pub async fn probe(&self, cfg: &KafkaConfig, timeout: Duration) -> Result<(), ConnectError> {
        let consumer = {
            let mut client = self.client.lock().await;
            match &*client {
                Some(consumer) => Arc::clone(consumer),
                None => {
                    let consumer: Arc<BaseConsumer> = Arc::new(
                        kafka_client_config(cfg)
                            .create()
                            .map_err(ConnectError::Kafka)?,
                    );
                    *client = Some(Arc::clone(&consumer));
                    consumer
                }
            }
        };
        let topic = cfg.events_topic.clone();
        tokio::task::spawn_blocking(move || {
            let answer = consumer
                .fetch_metadata(Some(&topic), timeout)
                .map(|_| ())
                .map_err(ConnectError::Kafka);
            let _ = consumer.poll(Duration::ZERO);
            answer
        })
        .await
        .map_err(|_| ConnectError::Timeout("Kafka", timeout))?
    }
}
