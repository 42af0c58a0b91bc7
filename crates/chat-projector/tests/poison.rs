//! A poison record (undecodable, or an event that can never be projected) goes to the
//! dead-letter topic with its reason, and the events after it are still projected.

use std::time::Duration;

use chat_domain::ChatEvent;
use chat_migrate::topics::{self, TopicSpec};
use chat_projector::Projector;
use chat_projector::testing::run_in_process;
use chat_read_model::testing::workload;
use chat_runtime::config::KafkaConfig;
use chat_runtime::connect::kafka_client_config;
use chat_test_kit::kafka::{fresh_topic, produce, produce_raw, read_records};
use chat_test_kit::projectors::Run;
use chat_test_kit::unique_name;
use tokio_util::sync::CancellationToken;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poison_records_are_dead_lettered_with_the_reason_and_later_events_projected() {
    let kafka = fresh_topic("poison", 1).await;
    let dlq = KafkaConfig {
        events_topic: format!("{}.dlq", kafka.events_topic),
        ..kafka.clone()
    };
    chat_migrate_dlq(&dlq).await;
    let envelopes = workload(3, 200, 5);
    let (before, after) = envelopes.split_at(envelopes.len() / 2);
    produce(&kafka, before).await.expect("produce");

    // Not an envelope at all.
    produce_raw(&kafka, "garbage", "{not an envelope")
        .await
        .expect("produce");
    // A well-formed message event whose id is not a TIMEUUID: it can never be stored.
    let sent = envelopes
        .iter()
        .find(|e| matches!(e.payload, ChatEvent::MessageSent(_)))
        .expect("a message");
    let mut poisoned = serde_json::to_value(sent).expect("json");
    poisoned["payload"]["message_id"] = serde_json::json!(uuid::Uuid::now_v7());
    produce_raw(&kafka, &sent.chat_id.to_string(), &poisoned.to_string())
        .await
        .expect("produce");
    produce(&kafka, after).await.expect("produce");

    let run = Run::fresh(&kafka).await.expect("stores");
    let stop = CancellationToken::new();
    let _stop = stop.clone().drop_guard();
    run_in_process(
        Projector::Sync,
        &run.stores,
        &unique_name("sync"),
        None,
        &stop,
    )
    .await
    .expect("projector-sync starts");
    run.wait_done(Projector::Sync, &envelopes)
        .await
        .expect("every event after the poison is projected");

    let dead = read_records(&dlq, 2, Duration::from_secs(30)).await;
    let reasons: Vec<&str> = dead
        .iter()
        .map(|r| {
            r.headers
                .iter()
                .find(|(k, _)| k == "dlq_reason")
                .map(|(_, v)| v.as_str())
                .expect("a reason")
        })
        .collect();
    assert_eq!(dead.len(), 2, "{reasons:?}");
    assert_eq!(dead[0].payload, "{not an envelope");
    assert!(
        reasons[0].contains("not an event envelope"),
        "{}",
        reasons[0]
    );
    assert!(reasons[1].contains("is not a TIMEUUID"), "{}", reasons[1]);
    assert_eq!(dead[1].key, sent.chat_id.to_string());
}

/// Creates the dead-letter topic (as `chat-migrate` does for `chat.events.dlq`).
async fn chat_migrate_dlq(dlq: &KafkaConfig) {
    let spec = TopicSpec {
        name: dlq.events_topic.clone(),
        partitions: 1,
        replication: 1,
        retention_ms: None,
    };
    topics::ensure(&kafka_client_config(dlq), &[spec])
        .await
        .expect("create the dead-letter topic");
}
