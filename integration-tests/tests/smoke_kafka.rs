//! rdkafka against the real broker: keyed records into a 3-partition topic, consumed by a
//! consumer group with manual commits, and a restarted consumer resuming from the committed
//! offsets (nothing lost, nothing read twice).

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use chat_migrate::topics::{self, TopicSpec};
use chat_runtime::connect::kafka_client_config;
use chat_test_kit::{kafka_config, unique_name};
use rdkafka::Message;
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::producer::{FutureProducer, FutureRecord};

const KEYS: usize = 6;
const PER_KEY: usize = 10;
const TOTAL: usize = KEYS * PER_KEY;
const FIRST_RUN: usize = 25;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consumer_group_resumes_from_its_committed_offsets() {
    let topic = unique_name("smoke");
    let cfg = kafka_config(&topic);
    let client = kafka_client_config(&cfg);
    let spec = TopicSpec {
        name: topic.clone(),
        partitions: 3,
        replication: 1,
        retention_ms: None,
    };
    topics::ensure(&client, &[spec])
        .await
        .expect("create topic");

    let producer: FutureProducer = client
        .clone()
        .set("enable.idempotence", "true")
        .create()
        .expect("producer");
    let mut partition_of_key = BTreeMap::new();
    for seq in 0..PER_KEY {
        for key in 0..KEYS {
            let key = format!("chat-{key}");
            let payload = format!("{key}:{seq}");
            let partition = producer
                .send(
                    FutureRecord::to(&topic).key(&key).payload(&payload),
                    Duration::from_secs(10),
                )
                .await
                .expect("produce")
                .partition;
            let first = *partition_of_key.entry(key.clone()).or_insert(partition);
            assert_eq!(first, partition, "one key always lands on one partition");
        }
    }

    let group = unique_name("group");
    let mut seen = Vec::new();
    consume(&cfg, &group, FIRST_RUN, &mut seen).await;
    // The second consumer of the same group starts where the first committed.
    consume(&cfg, &group, TOTAL - FIRST_RUN, &mut seen).await;

    let unique: HashSet<_> = seen.iter().collect();
    assert_eq!(seen.len(), TOTAL, "every record once");
    assert_eq!(unique.len(), TOTAL, "no record twice");
    for key in 0..KEYS {
        let order: Vec<usize> = seen
            .iter()
            .filter_map(|p| p.strip_prefix(&format!("chat-{key}:")))
            .map(|seq| seq.parse().expect("seq"))
            .collect();
        assert_eq!(
            order,
            (0..PER_KEY).collect::<Vec<_>>(),
            "per-key order kept"
        );
    }
}

/// Reads `count` records in consumer group `group`, committing each one's offset after it
/// is handled, then closes the consumer.
async fn consume(
    cfg: &chat_runtime::config::KafkaConfig,
    group: &str,
    count: usize,
    seen: &mut Vec<String>,
) {
    let consumer: StreamConsumer = kafka_client_config(cfg)
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest")
        .create()
        .expect("consumer");
    consumer.subscribe(&[&cfg.events_topic]).expect("subscribe");
    for _ in 0..count {
        let message = tokio::time::timeout(Duration::from_secs(30), consumer.recv())
            .await
            .expect("a record within 30 s")
            .expect("a record");
        let payload = message
            .payload_view::<str>()
            .expect("payload")
            .expect("utf-8");
        seen.push(payload.to_owned());
        // A synchronous commit blocks its thread; keep the runtime's other worker free.
        tokio::task::block_in_place(|| consumer.commit_message(&message, CommitMode::Sync))
            .expect("commit");
    }
    tokio::task::block_in_place(move || drop(consumer));
}
