//! The broker stopped: commands are still accepted and their events wait in the outbox;
//! when the broker returns they all arrive, in order, exactly once from the relay.
//!
//! This test stops and starts the local Kafka (deploy/local/infra.sh), so it lives in a
//! test binary of its own, which `make test` runs alone after every other binary
//! (deploy/local/test.sh), so no other test sees the broker go away.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use chat_runtime::connect::kafka_client_config;
use chat_test_kit::kafka::{fresh_topic, read_records};
use chat_test_kit::pg::fresh_database;
use command_api::adapters::pg::PgEventStore;
use command_api::app::{CommandService, CommandSettings};
use command_api::relay::{OutboxRelay, RelaySettings};
use serde_json::Value;
use support::{create_group, new_chat, send, user};
use tokio_util::sync::CancellationToken;

const SENDS: usize = 100;

fn kafka(action: &str) {
    assert!(
        std::env::var("CHAT_EXTERNAL_INFRA").as_deref() != Ok("1"),
        "this fault test stops the broker: it needs the local Kafka of deploy/local (unset CHAT_EXTERNAL_INFRA)"
    );
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/local/infra.sh");
    let status = Command::new(script)
        .args([action, "kafka"])
        .status()
        .expect("infra.sh runs");
    assert!(status.success(), "infra.sh {action} kafka failed");
}

async fn unpublished(pool: &sqlx::PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL")
        .fetch_one(pool)
        .await
        .expect("count")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_wait_for_the_broker_and_then_arrive_in_order_exactly_once() {
    let db = fresh_database().await;
    let topic = fresh_topic("outage", 3).await;
    let service = CommandService::new(
        PgEventStore::new(db.pool.clone()),
        CommandSettings::default(),
    );
    let relay = OutboxRelay::new(
        db.pool.clone(),
        &kafka_client_config(&topic),
        RelaySettings {
            topic: topic.events_topic.clone(),
            batch_size: 500,
            poll_interval: Duration::from_millis(50),
        },
    )
    .expect("relay");
    let shutdown = CancellationToken::new();
    let relay = tokio::spawn(relay.run(shutdown.clone()));

    let (owner, member) = (user(), user());
    let chat = new_chat();
    service
        .execute(create_group(chat, &owner, &[&member]))
        .await
        .expect("created");
    assert_eq!(
        read_records(&topic, 3, Duration::from_secs(30)).await.len(),
        3,
        "creation published"
    );

    kafka("down");
    for i in 0..SENDS {
        let sender = if i % 2 == 0 { &owner } else { &member };
        service
            .execute(send(chat, sender, &format!("during the outage {i}")))
            .await
            .expect("accepted while Kafka is down");
    }
    assert_eq!(
        unpublished(&db.pool).await,
        SENDS as i64,
        "the events wait in the outbox"
    );
    kafka("up");

    // Wait until the relay has marked everything published, then read the whole topic.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while unpublished(&db.pool).await > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the outbox did not drain after Kafka returned"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let total = 3 + SENDS;
    // Ask for more than expected: a duplicate would show up as an extra record.
    let records = read_records(&topic, total + 1, Duration::from_secs(15)).await;
    let versions: Vec<u64> = records
        .iter()
        .map(|r| {
            let envelope: Value = serde_json::from_str(&r.payload).expect("envelope");
            envelope["version"].as_u64().expect("version")
        })
        .collect();
    assert_eq!(
        versions,
        (1..=total as u64).collect::<Vec<_>>(),
        "every event once, in order"
    );

    shutdown.cancel();
    relay.await.expect("relay stops");
}
