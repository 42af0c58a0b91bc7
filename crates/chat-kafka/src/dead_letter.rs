//! The dead-letter topic: records a consumer could never handle, with the reason, so an
//! operator can inspect and replay them while the consumer carries on.

use std::time::Duration;

use rdkafka::ClientConfig;
use rdkafka::Message;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};

/// A producer to the dead-letter topic.
#[derive(Clone)]
pub struct DeadLetters {
    producer: FutureProducer,
    topic: String,
}

impl std::fmt::Debug for DeadLetters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeadLetters")
            .field("topic", &self.topic)
            .finish_non_exhaustive()
    }
}

/// The dead-letter topic of an events topic.
pub fn topic_for(events_topic: &str) -> String {
    format!("{events_topic}.dlq")
}

impl DeadLetters {
    /// A producer to `topic`.
    ///
    /// # Errors
    /// When the producer cannot be created.
    pub fn new(client: &ClientConfig, topic: String) -> Result<Self, rdkafka::error::KafkaError> {
        let producer = client.clone().set("enable.idempotence", "true").create()?;
        Ok(Self { producer, topic })
    }

    /// Copies `message` to the dead-letter topic with headers naming the consumer group,
    /// the reason, and where it came from.
    ///
    /// # Errors
    /// When Kafka does not take it within 30 s; the caller retries rather than losing it.
    pub async fn send(
        &self,
        message: &impl Message,
        group: &str,
        reason: &str,
    ) -> Result<(), rdkafka::error::KafkaError> {
        let origin = format!(
            "{}/{}/{}",
            message.topic(),
            message.partition(),
            message.offset()
        );
        let mut record = FutureRecord::to(&self.topic).headers(
            OwnedHeaders::new()
                .insert(Header {
                    key: "dlq_reason",
                    value: Some(reason),
                })
                .insert(Header {
                    key: "dlq_group",
                    value: Some(group),
                })
                .insert(Header {
                    key: "dlq_origin",
                    value: Some(&origin),
                }),
        );
        if let Some(key) = message.key() {
            record = record.key(key);
        }
        if let Some(payload) = message.payload() {
            record = record.payload(payload);
        }
        self.producer
            .send(record, Duration::from_secs(30))
            .await
            .map(|_| ())
            .map_err(|(e, _)| e)
    }
}
