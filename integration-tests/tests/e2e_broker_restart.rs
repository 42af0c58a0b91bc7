//! End to end: the Kafka broker restarts during a stream of sends. Sends keep being
//! accepted (their events wait in the outbox), and once the broker is back every message
//! reaches the read models and the WebSocket exactly once, in order.
//!
//! The broker it restarts is its own (chat_test_kit::own_broker), so the other tests,
//! on the shared broker, run beside it.

use std::time::Duration;

use chat_test_kit::client::{Api, Socket, User};
use chat_test_kit::own_broker::OwnBroker;
use chat_test_kit::system::System;
use reqwest::Method;
use serde_json::json;

const SENDS: usize = 40;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_restart_during_sends_loses_and_duplicates_nothing() {
    let broker = OwnBroker::up("broker-restart", 19094);
    let system = System::start_on(&broker).await;
    let api = Api::new(system.api());
    let (alice, bob) = (User::new("Alice"), User::new("Bob"));
    let chat = api.create_group(&alice, &[&bob]).await;
    let mut socket = Socket::connect(&system.ws("wse-gateway"), &bob, "").await;
    let path = format!("/api/chats/{chat}/messages");

    let mut last = 0;
    for i in 0..SENDS {
        // A few sends while the broker is away (each waits out the read-your-writes
        // timeout, so a few are enough).
        if i == 15 {
            broker.stop();
        }
        if i == 19 {
            broker.start();
        }
        let (status, body) = api
            .call(
                &alice,
                Method::POST,
                &path,
                Some(json!({ "content": format!("m{i:03}") })),
            )
            .await;
        // While the broker is down the event cannot reach projector-sync: 202, stored.
        assert!(status == 201 || status == 202, "{status} {body}");
        last = body["version"].as_u64().expect("version");
    }

    // The WebSocket client sees every message event once, in order (it may get a resync
    // frame if the gateway lost its place; it then refetches, which the history covers).
    let seen = socket
        .events_until(chat, last, Duration::from_secs(120))
        .await;
    let sent: Vec<u64> = seen
        .iter()
        .filter(|(t, _)| t == "message_sent")
        .map(|(_, v)| *v)
        .collect();
    let mut sorted = sent.clone();
    sorted.dedup();
    assert_eq!(sent, sorted, "no duplicate on the socket");

    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        let page = api
            .expect(200, &bob, Method::GET, &format!("{path}?limit=100"), None)
            .await;
        let mut contents: Vec<String> = page["messages"]
            .as_array()
            .expect("messages")
            .iter()
            .map(|m| m["content"].as_str().unwrap_or_default().to_owned())
            .collect();
        contents.reverse();
        if contents.len() >= SENDS {
            let expected: Vec<String> = (0..SENDS).map(|i| format!("m{i:03}")).collect();
            assert_eq!(contents, expected, "every message once, in order");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "history stuck at {}",
            contents.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
