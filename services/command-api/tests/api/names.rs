//! The user directory: participants, edit history and history carry each user's display
//! name as the `name` claim of their newest token says, and each Telegram author's as
//! their newest mirrored message says, and follow a change of it.

use std::time::Duration;

use chat_test_kit::tokens::user_token;
use serde_json::{Value, json};

use crate::helpers::{TestApp, User};

/// The `name` of `user` in `chat`'s participant list, as `viewer` sees it.
async fn listed_name(app: &TestApp, viewer: &User, chat: uuid::Uuid, user: &User) -> Value {
    let list = app
        .get_json(viewer, &format!("/api/chats/{chat}/participants"))
        .await;
    list["participants"]
        .as_array()
        .expect("participants")
        .iter()
        .find(|p| p["user_id"] == user.id.to_string())
        .map(|p| p["name"].clone())
        .expect("listed")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn participants_and_history_are_named_by_the_newest_token_name() {
    let app = TestApp::spawn().await;
    let (alice, bob) = (User::new("Alice"), User::new("Bob"));
    let chat = app.create_group(&alice, &[&bob]).await;
    let response = app.send(&alice, chat, "hello").await;
    let id = response.json::<Value>().await.expect("json")["message_id"]
        .as_str()
        .expect("id")
        .to_owned();
    chat_test_kit::eventually("Alice named", Duration::from_secs(30), || async {
        (listed_name(&app, &bob, chat, &alice).await == "Alice").then_some(())
    })
    .await;
    // Bob has not acted yet: nobody has told the directory his name.
    assert_eq!(listed_name(&app, &alice, chat, &bob).await, Value::Null);

    // Alice acts under a new name: the list and her message's history follow it.
    let renamed = User {
        token: user_token(alice.id, "Alice Smith"),
        name: "Alice Smith".to_owned(),
        ..alice.clone()
    };
    app.edit(&renamed, chat, &id, "hello there").await;
    chat_test_kit::eventually("Alice renamed", Duration::from_secs(30), || async {
        (listed_name(&app, &bob, chat, &alice).await == "Alice Smith").then_some(())
    })
    .await;
    let path = format!("/api/chats/{chat}/messages/{id}/history");
    let history = chat_test_kit::eventually("the edit", Duration::from_secs(30), || async {
        let history = app.get_json(&bob, &path).await;
        (history["versions"].as_array().map(Vec::len) == Some(2)).then_some(history)
    })
    .await;
    for version in history["versions"].as_array().expect("versions") {
        assert_eq!(version["author_name"], "Alice Smith", "{version}");
    }
}

/// The `sender_name` of every message of `chat`'s history, newest first, as `viewer`
/// reads it.
async fn history_names(app: &TestApp, viewer: &User, chat: uuid::Uuid) -> Vec<Value> {
    let page = app
        .get_json(viewer, &format!("/api/chats/{chat}/messages"))
        .await;
    page["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["sender_name"].clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_names_users_and_telegram_authors_by_their_newest_names() {
    let app = TestApp::spawn().await;
    let alice = User::new("Alice");
    let chat = app.create_group(&alice, &[]).await;
    let group = -1_000_000_100_417_i64;
    app.link_telegram(&alice, chat, group).await;
    assert_eq!(app.send(&alice, chat, "from the chat").await.status(), 201);
    // Ivan writes twice from Telegram, renamed in between.
    app.receive_from_telegram(chat, group, (42, "Ivan"), (1, "first"))
        .await;
    app.receive_from_telegram(chat, group, (42, "Ivan Petrov"), (2, "second"))
        .await;
    let renamed = User {
        token: user_token(alice.id, "Alice Smith"),
        name: "Alice Smith".to_owned(),
        ..alice.clone()
    };
    assert_eq!(app.send(&renamed, chat, "renamed").await.status(), 201);

    // Older messages too, once the directory has the new names: each author under the
    // name they go by now.
    let expected = [
        json!("Alice Smith"),
        json!("Ivan Petrov"),
        json!("Ivan Petrov"),
        json!("Alice Smith"),
    ];
    chat_test_kit::eventually("the newest names", Duration::from_secs(30), || async {
        (history_names(&app, &alice, chat).await == expected).then_some(())
    })
    .await;
    let list = app.get_json(&alice, "/api/chats").await;
    assert_eq!(
        list["chats"][0]["last_message"]["sender_name"],
        "Alice Smith"
    );
}
