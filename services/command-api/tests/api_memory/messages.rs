//! Messages: sent, edited and deleted, each as the next read shows it; history pages and
//! the edit history; a retried send with the same key.

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, User, error_code};

/// The ids of a history page, in its order.
fn ids(page: &Value) -> Vec<String> {
    page["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test]
async fn a_message_is_sent_edited_and_deleted_as_the_next_read_shows() {
    let app = TestApp::spawn().await;
    let (alice, bob) = (User::new("Alice"), User::new("Bob"));
    let chat = app.create_group(&alice, &[&bob]).await;

    let sent = app.send(&alice, chat, "hello").await;
    assert_eq!(sent.status(), 201);
    let location = sent.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let id = sent.json::<Value>().await.expect("json")["message_id"]
        .as_str()
        .expect("message_id")
        .to_owned();
    assert_eq!(location, format!("/api/chats/{chat}/messages/{id}"));
    let message = app.get_json(&bob, &location).await;
    assert_eq!(message["content"], "hello");
    assert_eq!(message["sender_id"], alice.id.to_string());
    assert_eq!(message["sender_name"], "Alice");

    let edit = Some(json!({ "content": "hello, world" }));
    app.expect(&alice, Method::PATCH, &location, edit, 200)
        .await;
    let edited = app.get_json(&bob, &location).await;
    assert_eq!(edited["content"], "hello, world");
    assert_eq!(edited["is_edited"], true);
    let history = app.get_json(&bob, &format!("{location}/history")).await;
    let versions: Vec<&str> = history["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| v["content"].as_str().expect("content"))
        .collect();
    assert_eq!(versions, ["hello, world", "hello"], "newest first");

    let not_hers = Some(json!({ "content": "mine now" }));
    let refused = app
        .call(Method::PATCH, &location, Some(&bob.token), not_hers)
        .await;
    assert_eq!(error_code(refused, 403).await, "not_message_sender");

    app.expect(&alice, Method::DELETE, &location, None, 200)
        .await;
    let deleted = app.get_json(&bob, &location).await;
    assert_eq!(deleted["is_deleted"], true);
    assert_eq!(deleted["content"], Value::Null, "no text left");
    let history = app
        .call(
            Method::GET,
            &format!("{location}/history"),
            Some(&bob.token),
            None,
        )
        .await;
    assert_eq!(error_code(history, 404).await, "message_not_found");
}

#[tokio::test]
async fn history_pages_newest_first_to_the_oldest_and_back() {
    let app = TestApp::spawn().await;
    let alice = User::new("Alice");
    let chat = app.create_group(&alice, &[]).await;
    let mut sent = Vec::new();
    for i in 0..7 {
        sent.push(app.sent(&alice, chat, &format!("m{i}")).await);
    }
    let newest_first: Vec<String> = sent.iter().rev().cloned().collect();

    let mut seen = Vec::new();
    let mut path = format!("/api/chats/{chat}/messages?limit=3");
    loop {
        let page = app.get_json(&alice, &path).await;
        seen.extend(ids(&page));
        let Some(before) = page["next_before"].as_str() else {
            break;
        };
        path = format!("/api/chats/{chat}/messages?limit=3&before={before}");
    }
    assert_eq!(seen, newest_first);

    // Newer than the third message: the four after it, newest first.
    let after = &sent[2];
    let newer = app
        .get_json(&alice, &format!("/api/chats/{chat}/messages?after={after}"))
        .await;
    assert_eq!(ids(&newer), newest_first[..4]);
}

#[tokio::test]
async fn a_retried_send_with_the_same_key_answers_the_original_once_stored() {
    let app = TestApp::spawn().await;
    let alice = User::new("Alice");
    let chat = app.create_group(&alice, &[]).await;
    let created = app.stored_versions(chat).await.len();
    let send = || {
        app.client
            .post(app.url(&format!("/api/chats/{chat}/messages")))
            .bearer_auth(&alice.token)
            .header("Idempotency-Key", "retry-1")
            .json(&json!({ "content": "once" }))
    };
    let first = app.execute(send()).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.expect("json");
    let again = app.execute(send()).await;
    assert_eq!(again.status(), 200, "a replay");
    let again: Value = again.json().await.expect("json");
    assert_eq!(again["message_id"], first["message_id"]);
    let page = app
        .get_json(&alice, &format!("/api/chats/{chat}/messages"))
        .await;
    assert_eq!(ids(&page).len(), 1);
    assert_eq!(
        app.stored_versions(chat).await.len(),
        created + 1,
        "one send stored"
    );
}

#[tokio::test]
async fn a_message_of_another_chat_or_none_is_not_found() {
    let app = TestApp::spawn().await;
    let alice = User::new("Alice");
    let (chat, other) = (
        app.create_group(&alice, &[]).await,
        app.create_group(&alice, &[]).await,
    );
    let id = app.sent(&alice, other, "elsewhere").await;
    for message in [id, Uuid::now_v7().to_string()] {
        let path = format!("/api/chats/{chat}/messages/{message}");
        let response = app.call(Method::GET, &path, Some(&alice.token), None).await;
        assert_eq!(error_code(response, 404).await, "message_not_found");
    }
}
