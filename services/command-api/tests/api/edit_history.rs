//! `GET /api/chats/{id}/messages/{mid}/history`: every version of a message's text,
//! newest first, for participants only; nothing left once the message is deleted.

use std::time::Duration;

use chat_test_kit::tokens::service_token;
use reqwest::Method;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::helpers::{TestApp, User, error_code};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_history_lists_every_version_newest_first_to_participants_only() {
    let app = TestApp::spawn().await;
    let (alice, bob, mallory) = (User::new("Alice"), User::new("Bob"), User::new("Mallory"));
    let chat = app.create_group(&alice, &[&bob]).await;
    let response = app.send(&alice, chat, "first draft").await;
    let id = response.json::<Value>().await.expect("json")["message_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let path = format!("/api/chats/{chat}/messages/{id}/history");
    let texts = |history: &Value| -> Vec<String> {
        history["versions"]
            .as_array()
            .expect("versions")
            .iter()
            .map(|v| v["content"].as_str().expect("content").to_owned())
            .collect()
    };
    let unedited = app.get_json(&bob, &path).await;
    assert_eq!(texts(&unedited), ["first draft"]);

    for content in ["second draft", "final"] {
        app.edit(&alice, chat, &id, content).await;
    }
    let history = chat_test_kit::eventually("2 edits", Duration::from_secs(30), || async {
        let history = app.get_json(&bob, &path).await;
        (texts(&history).len() == 3).then_some(history)
    })
    .await;
    assert_eq!(texts(&history), ["final", "second draft", "first draft"]);
    let versions = history["versions"].as_array().expect("versions");
    for pair in versions.windows(2) {
        assert!(
            pair[0]["version"].as_u64() > pair[1]["version"].as_u64(),
            "newest first"
        );
        // As instants: RFC 3339 text drops trailing zeros of the fraction, so "…01.1234Z"
        // sorts after "…01.12345Z" as text although it is earlier.
        let at = |version: &Value| {
            let text = version["at"].as_str().expect("at");
            OffsetDateTime::parse(text, &Rfc3339).expect("an RFC 3339 time")
        };
        assert!(at(&pair[0]) >= at(&pair[1]), "in time");
    }
    assert!(versions.iter().all(|v| v["author_name"] == "Alice"));
    assert!(
        versions
            .iter()
            .all(|v| v["author_id"] == alice.id.to_string())
    );

    let theirs = app
        .call(Method::GET, &path, Some(&mallory.token), None)
        .await;
    assert_eq!(error_code(theirs, 404).await, "chat_not_found");
    let unknown = format!(
        "/api/chats/{chat}/messages/{}/history",
        Uuid::now_v1(&[1; 6])
    );
    let unknown = app
        .call(Method::GET, &unknown, Some(&bob.token), None)
        .await;
    assert_eq!(error_code(unknown, 404).await, "message_not_found");
    let malformed = format!("/api/chats/{chat}/messages/nope/history");
    let malformed = app
        .call(Method::GET, &malformed, Some(&bob.token), None)
        .await;
    error_code(malformed, 400).await;

    app.delete_message(&alice, chat, &id).await;
    chat_test_kit::eventually("history gone", Duration::from_secs(30), || async {
        let response = app.call(Method::GET, &path, Some(&bob.token), None).await;
        (response.status() == 404).then_some(())
    })
    .await;
    chat_test_kit::eventually("edits forgotten", Duration::from_secs(30), || async {
        let left: i64 = sqlx::query_scalar("SELECT count(*) FROM message_edits")
            .fetch_one(&app.db.pool)
            .await
            .expect("count");
        (left == 0).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_telegram_message_history_is_its_telegram_author_s_not_the_bridge_s() {
    let app = TestApp::spawn().await;
    let alice = User::new("Alice");
    let bridge = service_token("telegram-bridge");
    let chat = app.create_group(&alice, &[]).await;
    let group = -1_000_000_100_316_i64;
    app.link_telegram(&alice, chat, group).await;
    let id = app
        .receive_from_telegram(chat, group, (42, "Ivan"), (7, "привет"))
        .await;
    let path = format!("/api/chats/{chat}/messages/{id}");
    let edit = app
        .call(
            Method::PATCH,
            &path,
            Some(&bridge),
            Some(json!({ "content": "привет всем" })),
        )
        .await;
    assert!(edit.status().is_success(), "the bridge mirrors Ivan's edit");

    let history = chat_test_kit::eventually("the edit", Duration::from_secs(30), || async {
        let history = app.get_json(&alice, &format!("{path}/history")).await;
        (history["versions"].as_array().map(Vec::len) == Some(2)).then_some(history)
    })
    .await;
    for version in history["versions"].as_array().expect("versions") {
        assert_eq!(version["author_name"], "Ivan", "{version}");
        assert_eq!(version["author_id"], Value::Null, "{version}");
    }
}
