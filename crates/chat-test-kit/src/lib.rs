//! `chat-test-kit`: the shared support of the tests that talk to the real PostgreSQL,
//! Kafka and CQL servers (every crate's adapter tests, the end-to-end suite in
//! `integration-tests`, and the benchmark). A dev-only crate: no product crate depends on
//! it except as a dev-dependency.
//!
//! The servers are found through the same environment variables the services read
//! (`DATABASE_URL`, `KAFKA_BROKERS`, `CQL_NODES`); `make test` starts the local servers and
//! exports them. A missing variable fails the test with a clear message: these tests are
//! never silently skipped.
//!
//! - this module: the server addresses and unique names.
//! - [`pg`]: a fresh, migrated PostgreSQL database per test.
//! - [`cql`]: a fresh, migrated CQL keyspace.
//! - [`kafka`]: a fresh topic per test, producing events to it, reading back what landed.
//! - [`own_broker`]: a Kafka broker of one test's own, which a fault test stops and starts.
//! - [`tokens`]: JWTs for test users and services.
//! - [`client`]: REST and WebSocket clients of the running system.
//! - [`system`]: the five services as real processes, for end-to-end tests and the bench.
//! - [`telegram`]: the fake Telegram of a bridge process in fake mode, as its users see it.
//! - `projectors` (feature `projectors`): the crash scenario both projectors are tested with.

pub mod client;
pub mod cql;
pub mod kafka;
pub mod own_broker;
pub mod pg;
#[cfg(feature = "projectors")]
pub mod projectors;
pub mod system;
pub mod telegram;
pub mod tokens;

use chat_runtime::config::{CqlConfig, KafkaConfig, PgConfig};

/// The value of environment variable `name`.
///
/// # Panics
/// When it is unset: the tests need the real servers.
pub fn required_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the tests with `make test`, which starts the local servers and exports it")
    })
}

/// PostgreSQL settings from `DATABASE_URL`.
pub fn pg_config() -> PgConfig {
    PgConfig {
        url: required_env("DATABASE_URL"),
        max_connections: 5,
    }
}

/// Kafka settings from `KAFKA_BROKERS`, with `topic` as the events topic.
pub fn kafka_config(topic: &str) -> KafkaConfig {
    KafkaConfig {
        brokers: required_env("KAFKA_BROKERS"),
        events_topic: topic.to_owned(),
    }
}

/// CQL settings from `CQL_NODES`, with `keyspace`.
pub fn cql_config(keyspace: &str) -> CqlConfig {
    CqlConfig {
        nodes: required_env("CQL_NODES")
            .split(',')
            .map(str::to_owned)
            .collect(),
        keyspace: keyspace.to_owned(),
    }
}

/// Polls `probe` every 50 ms until it yields a value, failing after `within` with `what`
/// (for what the system does eventually: ASYNC projections, the bridge, consumers).
///
/// # Panics
/// When `within` passes first.
pub async fn eventually<T, F, Fut>(what: &str, within: std::time::Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "waited {within:?} in vain for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// A name no other test run uses: `<prefix>_<32 hex digits>`, valid as a database,
/// keyspace or topic name.
pub fn unique_name(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::new_v4().simple())
}
