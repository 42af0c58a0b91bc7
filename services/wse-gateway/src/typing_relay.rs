//! Typing signals between replicas over the `chat.typing` topic.
//!
//! A replica fans a signal out to its own clients at once, then publishes it; every
//! replica reads the topic in its own consumer group from the newest offset and fans
//! out what other replicas published (its own records are recognised by the origin id
//! and skipped). Nothing waits: a full producer queue drops the signal, which is
//! ephemeral anyway. The topic keeps records for a minute.

use std::sync::Arc;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{ClientConfig, Message};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::hub::Hub;
use crate::protocol::TypingSignal;

/// How long the typing topic keeps records: they matter for seconds.
const RETENTION_MS: &str = "60000";

/// One record of the typing topic.
#[derive(Debug, Serialize, Deserialize)]
struct Relayed {
    origin: Uuid,
    signal: TypingSignal,
}

/// Publishes this replica's typing signals.
#[derive(Clone)]
pub struct TypingRelay {
    producer: FutureProducer,
    topic: String,
    origin: Uuid,
}

impl std::fmt::Debug for TypingRelay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypingRelay")
            .field("topic", &self.topic)
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

/// Reads the other replicas' typing signals.
pub struct TypingListener {
    consumer: StreamConsumer,
    origin: Uuid,
}

impl std::fmt::Debug for TypingListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypingListener")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

/// Creates the typing topic if missing, then the relay and the listener of one replica.
///
/// # Errors
/// When Kafka cannot be reached or refuses the topic, producer or consumer.
pub async fn connect(
    client: &ClientConfig,
    topic: &str,
) -> Result<(TypingRelay, TypingListener), KafkaError> {
    ensure_topic(client, topic).await?;
    let origin = Uuid::new_v4();
    let producer: FutureProducer = client
        .clone()
        .set("linger.ms", "0")
        .set("message.timeout.ms", "5000")
        .create()?;
    let consumer: StreamConsumer = client
        .clone()
        .set("group.id", format!("wse-gateway-typing-{origin}"))
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "latest")
        .create()?;
    consumer.subscribe(&[topic])?;
    Ok((
        TypingRelay {
            producer,
            topic: topic.to_owned(),
            origin,
        },
        TypingListener { consumer, origin },
    ))
}

async fn ensure_topic(client: &ClientConfig, topic: &str) -> Result<(), KafkaError> {
    let admin: AdminClient<DefaultClientContext> = client.create()?;
    let spec = NewTopic::new(topic, 3, TopicReplication::Fixed(1))
        .set("retention.ms", RETENTION_MS)
        .set("cleanup.policy", "delete");
    let results = admin.create_topics([&spec], &AdminOptions::new()).await?;
    for result in results {
        match result {
            Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((_, code)) => return Err(KafkaError::AdminOp(code)),
        }
    }
    Ok(())
}

impl TypingRelay {
    /// Publishes a signal for the other replicas, without waiting.
    pub fn publish(&self, signal: &TypingSignal) {
        let Ok(payload) = serde_json::to_string(&Relayed {
            origin: self.origin,
            signal: signal.clone(),
        }) else {
            return;
        };
        let key = signal.chat_id.to_string();
        let record = FutureRecord::to(&self.topic).key(&key).payload(&payload);
        match self.producer.send_result(record) {
            // Delivery is best effort: nobody waits for the outcome.
            Ok(delivery) => drop(delivery),
            Err((e, _)) => tracing::debug!(error.message = %e, "typing signal dropped"),
        }
    }
}

impl TypingListener {
    /// Fans out other replicas' signals into `hub` until `shutdown` fires.
    pub async fn run(self, hub: Arc<Hub>, shutdown: CancellationToken) {
        loop {
            let message = tokio::select! {
                () = shutdown.cancelled() => break,
                received = self.consumer.recv() => match received {
                    Ok(message) => message,
                    Err(e) => {
                        tracing::warn!(error.message = %e, "typing topic receive failed");
                        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                        continue;
                    }
                },
            };
            match message.payload().map(serde_json::from_slice::<Relayed>) {
                Some(Ok(relayed)) if relayed.origin != self.origin => {
                    hub.relay_typing(&relayed.signal);
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => tracing::debug!(error.message = %e, "not a typing record"),
                None => {}
            }
        }
        // Leaving the group blocks briefly inside librdkafka.
        let consumer = self.consumer;
        tokio::task::spawn_blocking(move || drop(consumer))
            .await
            .ok();
    }
}
