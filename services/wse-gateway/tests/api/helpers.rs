//! A stage for gateway tests on the servers: a fresh database and topic, gateways on
//! free ports, and chat histories produced to the topic. The clients and scripts are
//! `client.rs`'s, shared with the memory suite (`tests/ws_memory`).

use std::time::Duration;

use chat_domain::{ChatId, Envelope, UserId};
use chat_runtime::config::KafkaConfig;
use chat_runtime::connect::kafka_client_config;
use chat_test_kit::kafka::fresh_topic;
use chat_test_kit::pg::{TestDatabase, fresh_database};
use chat_test_kit::tokens::TEST_SECRET;
use chat_test_kit::unique_name;
use clap::Parser;
use rdkafka::producer::{FutureProducer, FutureRecord};
use tokio_util::sync::CancellationToken;
use wse_gateway::{Application, Config};

pub use crate::client::{
    Client, Incoming, PATIENCE, Script, TestGateway, event_of, new_user, versions,
};

/// What gateways stand on: a fresh database and events topic, a typing topic.
pub struct Stage {
    pub db: TestDatabase,
    pub kafka: KafkaConfig,
    pub typing_topic: String,
    producer: FutureProducer,
}

impl Stage {
    /// A fresh stage whose events topic has `partitions` partitions.
    pub async fn new(partitions: i32) -> Self {
        let db = fresh_database().await;
        let kafka = fresh_topic("wse_events", partitions).await;
        let producer = kafka_client_config(&kafka)
            .set("enable.idempotence", "true")
            .create()
            .expect("producer");
        Self {
            db,
            kafka,
            typing_topic: unique_name("wse_typing"),
            producer,
        }
    }

    /// A gateway on a free port with extra flags. It reads every event produced from
    /// now on (its consumer starts at the topic's end as of its creation).
    pub async fn gateway(&self, extra: &[&str]) -> TestGateway {
        let mut args = vec![
            "wse-gateway".to_owned(),
            "--http-addr=127.0.0.1:0".to_owned(),
            format!("--database-url={}", self.db.config.url),
            format!("--kafka-brokers={}", self.kafka.brokers),
            format!("--events-topic={}", self.kafka.events_topic),
            format!("--typing-topic={}", self.typing_topic),
            format!("--jwt-hs256-secret={TEST_SECRET}"),
        ];
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        let app = Application::build(Config::parse_from(args))
            .await
            .expect("the gateway starts");
        let gateway = TestGateway {
            addr: app.addr(),
            hub: app.hub(),
            shutdown: CancellationToken::new(),
        };
        tokio::spawn(app.run_until_stopped(gateway.shutdown.clone()));
        gateway
    }

    /// Records `user` as an active participant of `chat` since `joined` in the membership
    /// authority.
    pub async fn member(&self, chat: ChatId, user: UserId, joined: u64) {
        let joined = i64::try_from(joined).expect("version");
        sqlx::query(
            "INSERT INTO chat_members (chat_id, user_id, role, is_active, joined_version, version) \
             VALUES ($1, $2, 'member', TRUE, $3, $3)",
        )
        .bind(chat.as_uuid())
        .bind(user.as_uuid())
        .bind(joined)
        .execute(&self.db.pool)
        .await
        .expect("insert a membership row");
    }

    /// Produces envelopes to the events topic (key = chat id), in order.
    pub async fn produce(&self, envelopes: &[Envelope]) {
        for envelope in envelopes {
            let key = envelope.chat_id.to_string();
            let payload = serde_json::to_string(envelope).expect("json");
            let record = FutureRecord::to(&self.kafka.events_topic)
                .key(&key)
                .payload(&payload)
                .headers(
                    rdkafka::message::OwnedHeaders::new().insert(rdkafka::message::Header {
                        key: "event_type",
                        value: Some(&envelope.event_type),
                    }),
                );
            self.producer
                .send(record, Duration::from_secs(10))
                .await
                .map_err(|(e, _)| e)
                .expect("Kafka takes the record");
        }
    }
}
