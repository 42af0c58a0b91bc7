//! The broker stopped: commands are still accepted and their events wait in the outbox;
//! when the broker returns they all arrive, in order, exactly once from the relay.
//!
//! The broker it stops and starts is its own (chat_test_kit::own_broker), so the other
//! tests, on the shared broker, run beside it.

mod support;

use std::time::Duration;

use chat_runtime::connect::kafka_client_config;
use chat_test_kit::kafka::{fresh_topic_on, read_records};
use chat_test_kit::own_broker::OwnBroker;
use chat_test_kit::pg::fresh_database;
use command_api::adapters::pg::PgEventStore;
use command_api::app::{CommandService, CommandSettings};
use command_api::relay::{OutboxRelay, RelaySettings};
use serde_json::Value;
use support::{create_group, new_chat, send, user};
use tokio_util::sync::CancellationToken;

const SENDS: usize = 100;

async fn unpublished(pool: &sqlx::PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL")
        .fetch_one(pool)
        .await
        .expect("count")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_wait_for_the_broker_and_then_arrive_in_order_exactly_once() {
    let db = fresh_database().await;
    let broker = OwnBroker::up("outage", 19092);
    let topic = fresh_topic_on(&broker, "outage", 3).await;
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

    broker.stop();
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
    broker.start();

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
