//! Limits: per-user write buckets (429 with `Retry-After`), the service identity's own
//! budget, the chat-creation window, and participant caps per request and per chat.

use std::time::Instant;

use chat_test_kit::tokens::service_token;
use futures_util::future::join_all;
use reqwest::{Method, Response};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{TestApp, User, error_code};

/// The default limits (the harness raises them for tests about other things; the unit
/// tests of `command_api::limits` check that these are the defaults).
const DEFAULTS: &[&str] = &[
    "--write-rate-per-s=5",
    "--write-burst=20",
    "--service-write-rate-per-s=200",
    "--service-write-burst=1000",
    "--chat-creates-per-window=20",
];

/// The `/metrics` text.
async fn metrics(app: &TestApp) -> String {
    let response = app.call(Method::GET, "/metrics", None, None).await;
    response.text().await.expect("metrics text")
}

/// The `Retry-After` seconds of a 429 with the API's error shape `rate_limited`.
async fn retry_after(response: Response) -> u64 {
    let seconds = response
        .headers()
        .get("retry-after")
        .expect("a 429 says when to retry")
        .to_str()
        .expect("ASCII")
        .parse::<u64>()
        .expect("whole seconds");
    assert!(seconds >= 1, "at least a second");
    assert_eq!(error_code(response, 429).await, "rate_limited");
    seconds
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_writes_from_one_user_is_throttled_and_others_are_not() {
    let app = TestApp::spawn_with(DEFAULTS).await;
    let (alice, bob) = (User::new("Alice"), User::new("Bob"));
    let chat = app.create_group(&alice, &[&bob]).await;

    // Far more sends at once than the burst (20) allows.
    let texts: Vec<String> = (0..60).map(|i| format!("message {i}")).collect();
    let started = Instant::now();
    let responses = join_all(texts.iter().map(|text| app.send(&alice, chat, text))).await;
    let elapsed = started.elapsed();
    let accepted = responses.iter().filter(|r| r.status() == 201).count();
    let mut throttled = 0;
    for response in responses {
        if response.status() == 429 {
            let seconds = retry_after(response).await;
            assert!(
                seconds <= 2,
                "one token comes back within a second: {seconds}"
            );
            throttled += 1;
        }
    }
    // At most the full bucket (20; the creation took one, which may have come back) when
    // the sends start, plus 5 a second while they are in flight, which on a loaded machine
    // is more than a second.
    let refilled = usize::try_from(elapsed.as_millis() * 5 / 1_000 + 1).expect("small");
    assert!(
        (19..=19 + refilled).contains(&accepted),
        "about the burst is accepted: {accepted} in {elapsed:?}"
    );
    assert!(throttled > 0, "the burst is throttled (in {elapsed:?})");
    assert_eq!(accepted + throttled, 60, "the rest is throttled");
    // Creation stored versions 1..=3 (chat, Alice, Bob); only accepted sends follow.
    assert_eq!(app.stored_versions(chat).await.len(), 3 + accepted);

    // Bob's bucket is his own.
    assert_eq!(app.send(&bob, chat, "still here").await.status(), 201);
    assert!(
        metrics(&app)
            .await
            .contains(r#"chat_rate_limited_total{limit="user_writes"}"#)
    );

    // The bridge's service identity speaks for a whole Telegram group: a burst that
    // would throttle a user passes (these chats do not exist, so each answers 404).
    let token = service_token("telegram-bridge");
    let body = json!({
        "telegram_chat_id": -1_000_000_100_777_i64, "telegram_message_id": 1, "telegram_user_id": 5,
        "sender_name": "Tg", "content": "hi"
    });
    let calls = (0..60).map(|_| {
        let path = format!("/api/chats/{}/telegram/messages", Uuid::now_v7());
        let (token, body) = (&token, body.clone());
        let app = &app;
        async move {
            app.call(Method::POST, &path, Some(token), Some(body))
                .await
                .status()
        }
    });
    let statuses = join_all(calls).await;
    assert!(
        statuses.iter().all(|s| *s != 429),
        "the service has its own, larger budget: {statuses:?}"
    );
}

#[tokio::test]
async fn a_create_with_1500_participants_is_refused_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let alice = User::new("Alice");
    let participants: Vec<Uuid> = (0..1500).map(|_| Uuid::now_v7()).collect();
    let response = app
        .call(
            Method::POST,
            "/api/chats",
            Some(&alice.token),
            Some(json!({ "type": "group", "name": "crowd", "participants": participants })),
        )
        .await;
    assert_eq!(error_code(response, 422).await, "too_many_participants");
    assert_eq!(app.stored_event_count().await, 0, "nothing stored");
    assert!(
        metrics(&app)
            .await
            .contains(r#"chat_participant_cap_refusals_total{cap="per_request"}"#)
    );
}

#[tokio::test]
async fn a_chat_at_its_participant_cap_refuses_an_add() {
    let app = TestApp::spawn_with(&["--max-participants-per-chat=3"]).await;
    let (alice, bob, carol, dave) = (
        User::new("Alice"),
        User::new("Bob"),
        User::new("Carol"),
        User::new("Dave"),
    );
    let chat = app.create_group(&alice, &[&bob, &carol]).await;
    let before = app.stored_versions(chat).await;
    let response = app
        .call(
            Method::POST,
            &format!("/api/chats/{chat}/participants"),
            Some(&alice.token),
            Some(json!({ "user_id": dave.id })),
        )
        .await;
    assert_eq!(error_code(response, 409).await, "chat_full");
    assert_eq!(app.stored_versions(chat).await, before, "nothing stored");

    // A create over the cap is refused the same way, before anything is stored.
    let response = app
        .call(
            Method::POST,
            "/api/chats",
            Some(&alice.token),
            Some(json!({ "type": "group", "name": "big", "participants": [bob.id, carol.id, dave.id] })),
        )
        .await;
    assert_eq!(error_code(response, 409).await, "chat_full");
}

#[tokio::test]
async fn creating_chats_is_capped_per_time_window() {
    // The window allows 20 creations. The write bucket is made deep enough not to stop
    // the 22 writes first, however fast they run (in memory, all within milliseconds).
    let flags = [DEFAULTS, &["--write-burst=100"]].concat();
    let app = TestApp::spawn_with(&flags).await;
    let (alice, bob) = (User::new("Alice"), User::new("Bob"));
    let first = app.create_group(&alice, &[]).await;
    for _ in 1..20 {
        app.create_group(&alice, &[]).await;
    }
    let response = app
        .call(
            Method::POST,
            "/api/chats",
            Some(&alice.token),
            Some(json!({ "type": "group", "name": "one more", "participants": [] })),
        )
        .await;
    let seconds = retry_after(response).await;
    assert!(seconds > 2, "the next creation is a while away: {seconds}");
    // Other writes of Alice's, and Bob's creations, go on.
    assert_eq!(app.send(&alice, first, "hi").await.status(), 201);
    app.create_group(&bob, &[]).await;
}

#[test]
fn every_write_documents_429_and_the_limit_codes_are_documented() {
    let doc = serde_json::to_value(command_api::http::openapi::document()).expect("JSON");
    for (method, path) in command_api::http::ROUTES {
        if *method == "GET" {
            continue;
        }
        let responses = &doc["paths"][path][method.to_lowercase()]["responses"];
        let retry = &responses["429"];
        assert!(
            retry["headers"]["Retry-After"].is_object(),
            "{method} {path}: {retry}"
        );
        let documented = responses.to_string();
        for code in ["rate_limited", "too_many_participants", "chat_full"] {
            assert!(
                documented.contains(code),
                "{method} {path} documents {code}"
            );
        }
    }
}
