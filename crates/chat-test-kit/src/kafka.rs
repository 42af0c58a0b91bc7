//! A fresh Kafka topic per test, producing events (or raw records) to it, and reading back
//! the records on it.

use std::time::Duration;

use chat_domain::Envelope;
use chat_migrate::topics::{self, TopicSpec};
use chat_runtime::config::KafkaConfig;
use chat_runtime::connect::kafka_client_config;
use rdkafka::Message;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::producer::{FutureProducer, FutureRecord};

use crate::own_broker::OwnBroker;
use crate::{kafka_config, unique_name};

/// One record as it landed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The record key.
    pub key: String,
    /// The payload as text.
    pub payload: String,
    /// The partition.
    pub partition: i32,
    /// Header `(name, value)` pairs.
    pub headers: Vec<(String, String)>,
}

/// Creates a topic `<prefix>_<uuid>` with `partitions` partitions on the shared broker
/// (`KAFKA_BROKERS`).
///
/// # Panics
/// When Kafka does not answer.
pub async fn fresh_topic(prefix: &str, partitions: i32) -> KafkaConfig {
    create(kafka_config(&unique_name(prefix)), partitions).await
}

/// Creates a topic `<prefix>_<uuid>` with `partitions` partitions on `broker`.
///
/// # Panics
/// When Kafka does not answer.
pub async fn fresh_topic_on(broker: &OwnBroker, prefix: &str, partitions: i32) -> KafkaConfig {
    let cfg = KafkaConfig {
        brokers: broker.brokers(),
        events_topic: unique_name(prefix),
    };
    create(cfg, partitions).await
}

/// Creates `cfg`'s events topic with `partitions` partitions.
async fn create(cfg: KafkaConfig, partitions: i32) -> KafkaConfig {
    let spec = TopicSpec {
        name: cfg.events_topic.clone(),
        partitions,
        replication: 1,
        retention_ms: None,
    };
    topics::ensure(&kafka_client_config(&cfg), &[spec])
        .await
        .expect("create topic");
    cfg
}

/// Reads the topic from the start until `count` records arrived or `deadline` passed,
/// whichever is first, and returns what arrived.
///
/// # Panics
/// When the consumer cannot be created.
pub async fn read_records(cfg: &KafkaConfig, count: usize, deadline: Duration) -> Vec<Record> {
    let consumer: StreamConsumer = kafka_client_config(cfg)
        .set("group.id", unique_name("reader"))
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest")
        .create()
        .expect("consumer");
    consumer.subscribe(&[&cfg.events_topic]).expect("subscribe");
    let mut records = Vec::new();
    let until = tokio::time::Instant::now() + deadline;
    while records.len() < count {
        let Ok(received) = tokio::time::timeout_at(until, consumer.recv()).await else {
            break;
        };
        let message = received.expect("a record");
        let text =
            |bytes: Option<&[u8]>| String::from_utf8_lossy(bytes.unwrap_or_default()).into_owned();
        let headers = message
            .headers()
            .map(|hs| {
                use rdkafka::message::Headers;
                hs.iter()
                    .map(|h| (h.key.to_owned(), text(h.value)))
                    .collect()
            })
            .unwrap_or_default();
        records.push(Record {
            key: text(message.key()),
            payload: text(message.payload()),
            partition: message.partition(),
            headers,
        });
    }
    // Closing a consumer blocks its thread briefly; keep it off the async workers.
    tokio::task::spawn_blocking(move || drop(consumer))
        .await
        .ok();
    records
}

/// Produces `envelopes` to the events topic, keyed by chat (as the relay does).
///
/// # Errors
/// When Kafka does not take a record.
pub async fn produce(kafka: &KafkaConfig, envelopes: &[Envelope]) -> anyhow::Result<()> {
    let producer: FutureProducer = kafka_client_config(kafka)
        .set("enable.idempotence", "true")
        .set("linger.ms", "5")
        .create()?;
    let records = envelopes
        .iter()
        .map(|e| Ok((e.chat_id.to_string(), serde_json::to_string(e)?)))
        .collect::<anyhow::Result<Vec<(String, String)>>>()?;
    let pending = records.iter().map(|(key, payload)| {
        let record = FutureRecord::to(&kafka.events_topic)
            .key(key)
            .payload(payload);
        producer.send(record, Duration::from_secs(30))
    });
    for sent in futures_util::future::join_all(pending).await {
        sent.map_err(|(e, _)| e)?;
    }
    Ok(())
}

/// Produces one raw record (poison tests).
///
/// # Errors
/// When Kafka does not take it.
pub async fn produce_raw(kafka: &KafkaConfig, key: &str, payload: &str) -> anyhow::Result<()> {
    let producer: FutureProducer = kafka_client_config(kafka).create()?;
    let record = FutureRecord::to(&kafka.events_topic)
        .key(key)
        .payload(payload);
    producer
        .send(record, Duration::from_secs(30))
        .await
        .map_err(|(e, _)| e)?;
    Ok(())
}
