//! The Kafka topics the system uses, created if missing.

use rdkafka::ClientConfig;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};

/// A topic to ensure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicSpec {
    /// Topic name.
    pub name: String,
    /// Partition count (the unit of parallelism of every consumer group).
    pub partitions: i32,
    /// Replication factor.
    pub replication: i32,
    /// How long records are kept, in milliseconds (`-1`: forever, whatever their size);
    /// `None` keeps the broker's default.
    pub retention_ms: Option<i64>,
}

/// A topic that could not be created.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The admin request itself failed (brokers unreachable).
    #[error("Kafka admin request failed: {0}")]
    Admin(#[from] KafkaError),
    /// The broker refused one topic.
    #[error("creating topic {0} failed: {1}")]
    Topic(String, RDKafkaErrorCode),
}

/// Creates the topics that do not exist yet; existing ones are left as they are.
/// Returns the names created now.
///
/// # Errors
/// When the brokers cannot be reached or refuse a topic for another reason than existing.
pub async fn ensure(client: &ClientConfig, specs: &[TopicSpec]) -> Result<Vec<String>, Error> {
    let admin: AdminClient<DefaultClientContext> = client.create()?;
    let retention: Vec<Option<String>> = specs
        .iter()
        .map(|s| s.retention_ms.map(|ms| ms.to_string()))
        .collect();
    let new_topics: Vec<_> = specs
        .iter()
        .zip(&retention)
        .map(|(s, retention)| {
            let topic = NewTopic::new(
                &s.name,
                s.partitions,
                TopicReplication::Fixed(s.replication),
            );
            match retention.as_deref() {
                // Forever means forever: no size limit either.
                Some("-1") => topic.set("retention.ms", "-1").set("retention.bytes", "-1"),
                Some(ms) => topic.set("retention.ms", ms),
                None => topic,
            }
        })
        .collect();
    let results = admin
        .create_topics(&new_topics, &AdminOptions::new())
        .await?;
    let mut created = Vec::new();
    for result in results {
        match result {
            Ok(name) => created.push(name),
            Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((name, code)) => return Err(Error::Topic(name, code)),
        }
    }
    Ok(created)
}
