//! The text policy at the REST boundary: every text a client sends that the stores
//! cannot hold faithfully (NUL, other control characters, noncharacters) answers 422
//! `invalid_text` and stores nothing; everything else round-trips byte for byte.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, User, error_code};

/// Every event stored by the test's command-api.
async fn stored_events(app: &TestApp) -> i64 {
    app.stored_event_count().await
}

#[tokio::test]
async fn texts_the_policy_refuses_answer_422_and_store_nothing() {
    let app = TestApp::spawn().await;
    let alice = User::new("Alice");
    let chat = app.create_group(&alice, &[]).await;
    let sent = app.send(&alice, chat, "original").await;
    assert_eq!(sent.status(), 201);
    let message: Value = sent.json().await.expect("json");
    let message_id = message["message_id"]
        .as_str()
        .expect("message_id")
        .to_owned();
    let before = stored_events(&app).await;

    let messages = format!("/api/chats/{chat}/messages");
    let one_message = format!("/api/chats/{chat}/messages/{message_id}");
    let the_chat = format!("/api/chats/{chat}");
    let cases: Vec<(&str, Method, &str, Value)> = vec![
        (
            "NUL in a message",
            Method::POST,
            &messages,
            json!({ "content": "a\u{0}b" }),
        ),
        (
            "ANSI escape in a message",
            Method::POST,
            &messages,
            json!({ "content": "\u{1b}[31mred" }),
        ),
        (
            "DEL in a message",
            Method::POST,
            &messages,
            json!({ "content": "a\u{7f}" }),
        ),
        (
            "C1 control in a message",
            Method::POST,
            &messages,
            json!({ "content": "a\u{85}b" }),
        ),
        (
            "noncharacter U+FFFF in a message",
            Method::POST,
            &messages,
            json!({ "content": "a\u{ffff}" }),
        ),
        (
            "noncharacter U+10FFFF in a message",
            Method::POST,
            &messages,
            json!({ "content": "a\u{10ffff}" }),
        ),
        (
            "NUL in a client_message_id",
            Method::POST,
            &messages,
            json!({ "content": "ok", "client_message_id": "k\u{0}1" }),
        ),
        (
            "NUL in an edit",
            Method::PATCH,
            &one_message,
            json!({ "content": "a\u{0}b" }),
        ),
        (
            "NUL in a rename",
            Method::PATCH,
            &the_chat,
            json!({ "name": "a\u{0}b" }),
        ),
        (
            "line feed in a rename",
            Method::PATCH,
            &the_chat,
            json!({ "name": "two\nlines" }),
        ),
        (
            "NUL in a new chat's name",
            Method::POST,
            "/api/chats",
            json!({ "type": "group", "name": "a\u{0}b" }),
        ),
        (
            "tab in a new chat's name",
            Method::POST,
            "/api/chats",
            json!({ "type": "group", "name": "a\tb" }),
        ),
    ];
    for (case, method, path, body) in cases {
        let response = app.call(method, path, Some(&alice.token), Some(body)).await;
        assert_eq!(error_code(response, 422).await, "invalid_text", "{case}");
    }

    let category = app
        .call(
            Method::GET,
            "/api/templates?category=%00",
            Some(&alice.token),
            None,
        )
        .await;
    assert_eq!(
        error_code(category, 422).await,
        "invalid_text",
        "NUL in a query value"
    );

    let header_key = app
        .execute(
            app.client
                .post(app.url(&messages))
                .bearer_auth(&alice.token)
                .header("Idempotency-Key", "key\twith tab")
                .json(&json!({ "content": "ok" })),
        )
        .await;
    assert_eq!(
        error_code(header_key, 422).await,
        "invalid_text",
        "tab in Idempotency-Key"
    );

    let lone_surrogate = app
        .execute(
            app.client
                .post(app.url(&messages))
                .bearer_auth(&alice.token)
                .header("Content-Type", "application/json")
                .body(r#"{"content": "a\ud800b"}"#),
        )
        .await;
    assert_eq!(
        error_code(lone_surrogate, 400).await,
        "invalid_json",
        "lone surrogate"
    );

    assert_eq!(stored_events(&app).await, before, "nothing was stored");
}

#[tokio::test]
async fn every_other_text_round_trips_unchanged() {
    let app = TestApp::spawn().await;
    let alice = User::new("Alice");
    let chat = app.create_group(&alice, &[]).await;
    let texts = [
        "привет, мир\nsecond line\tand a tab\r\n",
        "👩\u{200d}👩\u{200d}👧 joiners, e\u{301} combining, \u{e9} precomposed",
        "\u{5e9}\u{5dc}\u{5d5}\u{5dd} \u{200f}rtl \u{202e}override\u{202c}",
        "zero\u{200b}width, bom \u{feff}, private use \u{e000}, \u{2028}separator",
    ];
    for text in texts {
        let response = app.send(&alice, chat, text).await;
        assert_eq!(response.status(), 201, "{text:?}");
    }
    let page = app
        .get_json(&alice, &format!("/api/chats/{chat}/messages"))
        .await;
    let stored: Vec<&str> = page["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .rev()
        .map(|m| m["content"].as_str().expect("content"))
        .collect();
    assert_eq!(stored, texts);
}
