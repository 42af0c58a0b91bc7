//! Sends: concurrency, ordering on Kafka, idempotency.

use std::time::Duration;

use chat_test_kit::kafka::read_records;
use futures_util::future::join_all;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, User};

const SENDS: usize = 50;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_sends_get_gapless_versions_and_reach_kafka_in_order() {
    let app = TestApp::spawn().await;
    let (alice, bob) = (User::new("Alice"), User::new("Bob"));
    let chat = app.create_group(&alice, &[&bob]).await;

    // Several tasks at once, from two users.
    let sends = (0..SENDS).map(|i| {
        let app = &app;
        let user = if i % 2 == 0 {
            alice.clone()
        } else {
            bob.clone()
        };
        async move {
            app.send(&user, chat, &format!("message {i}"))
                .await
                .status()
        }
    });
    let statuses = join_all(sends).await;
    assert!(
        statuses.iter().all(|s| *s == 201),
        "all accepted: {statuses:?}"
    );

    // Creation stored versions 1..=3 (chat, Alice, Bob); the sends follow without a gap.
    let total = 3 + SENDS;
    let expected: Vec<i64> = (1..=total as i64).collect();
    assert_eq!(app.stored_versions(chat).await, expected);

    let records = read_records(&app.kafka, total, Duration::from_secs(30)).await;
    let versions: Vec<u64> = records
        .iter()
        .filter(|r| r.key == chat.to_string())
        .map(|r| {
            let envelope: Value = serde_json::from_str(&r.payload).expect("envelope JSON");
            assert_eq!(envelope["chat_id"], json!(chat));
            envelope["version"].as_u64().expect("version")
        })
        .collect();
    assert_eq!(
        versions,
        (1..=total as u64).collect::<Vec<_>>(),
        "in version order, once each"
    );
    assert!(
        records
            .iter()
            .all(|r| r.headers.iter().any(|(k, _)| k == "event_type"))
    );
}

#[tokio::test]
async fn the_same_idempotency_key_returns_the_same_message_and_stores_one_event() {
    let app = TestApp::spawn().await;
    let alice = User::new("Alice");
    let chat = app.create_group(&alice, &[]).await;
    let path = format!("/api/chats/{chat}/messages");
    let send = || {
        app.execute(
            app.client
                .post(app.url(&path))
                .bearer_auth(&alice.token)
                .header("Idempotency-Key", "retry-1")
                .json(&json!({ "content": "only once" })),
        )
    };

    let first = send().await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.expect("json");
    let second = send().await;
    assert_eq!(second.status(), 200);
    let second: Value = second.json().await.expect("json");

    assert_eq!(first["message_id"], second["message_id"]);
    assert_eq!(second["replayed"], json!(true));
    let sent: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM events WHERE chat_id = $1 AND event_type = 'message_sent'",
    )
    .bind(chat)
    .fetch_one(&app.db.pool)
    .await
    .expect("count");
    assert_eq!(sent, 1);

    // The key is the user's: the same key in the body (client message id) is the same key.
    let by_body = app
        .call(
            Method::POST,
            &path,
            Some(&alice.token),
            Some(json!({ "content": "x", "client_message_id": "retry-1" })),
        )
        .await;
    assert_eq!(by_body.status(), 200);
    let by_body: Value = by_body.json().await.expect("json");
    assert_eq!(by_body["message_id"], first["message_id"]);
}

#[tokio::test]
async fn a_direct_chat_is_one_per_pair() {
    let app = TestApp::spawn().await;
    let (alice, bob) = (User::new("Alice"), User::new("Bob"));
    let create = |from: User, to: uuid::Uuid| {
        let app = &app;
        async move {
            let body = json!({ "type": "direct", "participants": [to] });
            app.call(Method::POST, "/api/chats", Some(&from.token), Some(body))
                .await
        }
    };
    let first = create(alice.clone(), bob.id).await;
    assert_eq!(first.status(), 201);
    let location = first.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let first: Value = first.json().await.expect("json");
    assert_eq!(
        location,
        format!("/api/chats/{}", first["chat_id"].as_str().expect("id"))
    );

    let second = create(bob.clone(), alice.id).await;
    assert_eq!(second.status(), 200, "the pair's chat exists already");
    let second: Value = second.json().await.expect("json");
    assert_eq!(first["chat_id"], second["chat_id"]);
}
