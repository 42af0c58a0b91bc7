//! `TestApp`: a command-api on a free port, against a fresh PostgreSQL database and a
//! fresh Kafka topic, with both projectors running in-process on the same database and
//! topic (and a CQL keyspace of this test binary), so read-your-writes is exercised for
//! real. Its requests are [`ApiClient`]'s (shared with the memory-backed suite), every
//! answer checked against the OpenAPI document ([`crate::schema`]).

use std::ops::Deref;
use std::sync::Arc;

use chat_media::MemoryMediaStore;
use chat_read_model::testing::Stores;
use chat_runtime::config::KafkaConfig;
use chat_test_kit::cql::process_keyspace;
use chat_test_kit::kafka::fresh_topic;
use chat_test_kit::pg::{TestDatabase, fresh_database};
use chat_test_kit::tokens::TEST_SECRET;
use chat_test_kit::{cql_config, required_env};
use command_api::testing::spawn_with_media;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// A running command-api and what it stands on.
pub struct TestApp {
    /// The requests, by route.
    pub api: ApiClient,
    pub db: TestDatabase,
    pub kafka: KafkaConfig,
    /// The object store of media messages (in memory).
    pub media: Arc<MemoryMediaStore>,
    shutdown: CancellationToken,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

pub use crate::client::{ApiClient, User, error_code};

impl Deref for TestApp {
    type Target = ApiClient;

    fn deref(&self) -> &ApiClient {
        &self.api
    }
}

impl TestApp {
    /// A command-api with the default settings.
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// A command-api with extra command-line flags.
    pub async fn spawn_with(extra: &[&str]) -> Self {
        Self::start(extra, true).await
    }

    /// A command-api whose projectors are not running (nothing becomes readable).
    pub async fn spawn_without_projectors(extra: &[&str]) -> Self {
        Self::start(extra, false).await
    }

    async fn start(extra: &[&str], projectors: bool) -> Self {
        let db = fresh_database().await;
        let kafka = fresh_topic("events", 3).await;
        let keyspace = process_keyspace(&cql_config("").nodes).await;
        let stores = Stores {
            pg: db.config.clone(),
            kafka: kafka.clone(),
            cql: cql_config(&keyspace),
        };
        let _ = required_env("KAFKA_BROKERS");
        let shutdown = CancellationToken::new();
        let media = Arc::new(MemoryMediaStore::new());
        let store: Arc<dyn chat_media::MediaStore> = Arc::clone(&media) as _;
        let addr = spawn_with_media(
            &stores,
            TEST_SECRET,
            projectors,
            extra,
            Some(store),
            &shutdown,
        )
        .await
        .expect("command-api starts");
        Self {
            api: ApiClient::new(addr),
            db,
            kafka,
            media,
            shutdown,
        }
    }

    /// The stored versions of `chat`, in order.
    pub async fn stored_versions(&self, chat: Uuid) -> Vec<i64> {
        sqlx::query_scalar("SELECT version FROM events WHERE chat_id = $1 ORDER BY version")
            .bind(chat)
            .fetch_all(&self.db.pool)
            .await
            .expect("read versions")
    }

    /// How many events are stored, of every chat.
    pub async fn stored_event_count(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM events")
            .fetch_one(&self.db.pool)
            .await
            .expect("count events")
    }
}
