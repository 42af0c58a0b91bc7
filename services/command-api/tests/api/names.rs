//! The user directory: participants and edit history carry each user's display name as
//! the `name` claim of their newest token says, and follow a change of it.

use std::time::Duration;

use integration_tests::tokens::user_token;
use serde_json::Value;

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
    integration_tests::eventually("Alice named", Duration::from_secs(30), || async {
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
    integration_tests::eventually("Alice renamed", Duration::from_secs(30), || async {
        (listed_name(&app, &bob, chat, &alice).await == "Alice Smith").then_some(())
    })
    .await;
    let path = format!("/api/chats/{chat}/messages/{id}/history");
    let history = integration_tests::eventually("the edit", Duration::from_secs(30), || async {
        let history = app.get_json(&bob, &path).await;
        (history["versions"].as_array().map(Vec::len) == Some(2)).then_some(history)
    })
    .await;
    for version in history["versions"].as_array().expect("versions") {
        assert_eq!(version["author_name"], "Alice Smith", "{version}");
    }
}
