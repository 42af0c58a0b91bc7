//! Chats and their participants: created, renamed, archived, joined and left, each
//! visible in the next read.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, User, error_code};

/// The user ids in a participant list, in its order.
fn members(list: &Value) -> Vec<String> {
    list["participants"]
        .as_array()
        .expect("participants")
        .iter()
        .map(|p| p["user_id"].as_str().expect("user_id").to_owned())
        .collect()
}

#[tokio::test]
async fn a_created_chat_is_readable_at_once_by_every_participant() {
    let app = TestApp::spawn().await;
    let (alice, bob) = (User::new("Alice"), User::new("Bob"));
    let chat = app.create_group(&alice, &[&bob]).await;

    let details = app.get_json(&bob, &format!("/api/chats/{chat}")).await;
    assert_eq!(details["name"], "team");
    assert_eq!(details["type"], "group");
    assert_eq!(details["role"], "member");
    assert_eq!(details["participant_count"], 2);
    assert_eq!(details["unread_count"], 0);
    let owner = app.get_json(&alice, &format!("/api/chats/{chat}")).await;
    assert_eq!(owner["role"], "admin");

    let list = app
        .get_json(&bob, &format!("/api/chats/{chat}/participants"))
        .await;
    assert_eq!(
        members(&list),
        [alice.id.to_string(), bob.id.to_string()],
        "in joining order"
    );
    assert_eq!(
        list["participants"][0]["name"], "Alice",
        "named by the directory"
    );
}

#[tokio::test]
async fn added_participants_see_the_chat_and_removed_ones_lose_it() {
    let app = TestApp::spawn().await;
    let (alice, bob, carol) = (User::new("Alice"), User::new("Bob"), User::new("Carol"));
    let chat = app.create_group(&alice, &[&bob]).await;
    let participants = format!("/api/chats/{chat}/participants");

    let add_carol = Some(json!({ "user_id": carol.id }));
    app.expect(&alice, Method::POST, &participants, add_carol, 200)
        .await;
    assert_eq!(members(&app.get_json(&carol, &participants).await).len(), 3);
    let listed = app.get_json(&carol, "/api/chats").await;
    assert_eq!(listed["chats"][0]["id"], chat.to_string());

    let carol_path = format!("{participants}/{}", carol.id);
    app.expect(&alice, Method::DELETE, &carol_path, None, 200)
        .await;
    let gone = app
        .call(
            Method::GET,
            &format!("/api/chats/{chat}"),
            Some(&carol.token),
            None,
        )
        .await;
    assert_eq!(error_code(gone, 404).await, "chat_not_found");
    assert_eq!(app.get_json(&carol, "/api/chats").await["chats"], json!([]));
    let remaining = members(&app.get_json(&alice, &participants).await);
    assert_eq!(remaining, [alice.id.to_string(), bob.id.to_string()]);
}

#[tokio::test]
async fn a_renamed_chat_and_an_archived_one_show_as_they_are_now() {
    let app = TestApp::spawn().await;
    let alice = User::new("Alice");
    let chat = app.create_group(&alice, &[]).await;
    let path = format!("/api/chats/{chat}");

    let rename = Some(json!({ "name": "renamed" }));
    app.expect(&alice, Method::PATCH, &path, rename, 200).await;
    assert_eq!(app.get_json(&alice, &path).await["name"], "renamed");

    app.expect(&alice, Method::DELETE, &path, None, 200).await;
    assert_eq!(app.get_json(&alice, "/api/chats").await["chats"], json!([]));
    let archived = app.get_json(&alice, "/api/chats?archived=true").await;
    assert_eq!(archived["chats"][0]["id"], chat.to_string());
    assert_eq!(archived["chats"][0]["is_archived"], true);
    let send = app.send(&alice, chat, "anyone?").await;
    assert_eq!(error_code(send, 409).await, "chat_archived");

    app.expect(&alice, Method::POST, &format!("{path}/restore"), None, 200)
        .await;
    assert_eq!(app.get_json(&alice, &path).await["is_archived"], false);
}

#[tokio::test]
async fn a_hard_deleted_chat_is_gone_for_everyone() {
    let app = TestApp::spawn().await;
    let (alice, bob) = (User::new("Alice"), User::new("Bob"));
    let chat = app.create_group(&alice, &[&bob]).await;
    app.sent(&alice, chat, "soon gone").await;

    app.hard_delete(&alice, chat).await;
    for user in [&alice, &bob] {
        let path = format!("/api/chats/{chat}/messages");
        let response = app.call(Method::GET, &path, Some(&user.token), None).await;
        assert_eq!(error_code(response, 404).await, "chat_not_found");
        assert_eq!(app.get_json(user, "/api/chats").await["chats"], json!([]));
    }
}
