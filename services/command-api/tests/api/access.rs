//! Who may see a chat: a caller who is not a participant gets the same 404 on every chat
//! route whether the chat is active, archived, hard-deleted or was never created, so
//! chat ids reveal nothing; participants reach one message where a send's `Location`
//! points.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, User, error_code};

/// Every chat route a user may call, with a well-formed body.
fn chat_routes(chat: Uuid, message: &str, someone: Uuid) -> Vec<(Method, String, Option<Value>)> {
    let c = format!("/api/chats/{chat}");
    vec![
        (Method::GET, c.clone(), None),
        (Method::PATCH, c.clone(), Some(json!({ "name": "mine" }))),
        (Method::DELETE, c.clone(), None),
        (Method::DELETE, format!("{c}?hard=true"), None),
        (Method::POST, format!("{c}/restore"), None),
        (Method::GET, format!("{c}/messages"), None),
        (
            Method::POST,
            format!("{c}/messages"),
            Some(json!({ "content": "hi" })),
        ),
        (Method::GET, format!("{c}/messages/{message}"), None),
        (
            Method::PATCH,
            format!("{c}/messages/{message}"),
            Some(json!({ "content": "x" })),
        ),
        (Method::DELETE, format!("{c}/messages/{message}"), None),
        (
            Method::POST,
            format!("{c}/read"),
            Some(json!({ "message_id": message })),
        ),
        (Method::GET, format!("{c}/participants"), None),
        (
            Method::POST,
            format!("{c}/participants"),
            Some(json!({ "user_id": someone })),
        ),
        (Method::DELETE, format!("{c}/participants/{someone}"), None),
        (
            Method::PATCH,
            format!("{c}/participants/{someone}"),
            Some(json!({ "role": "member" })),
        ),
        (
            Method::POST,
            format!("{c}/telegram/link"),
            Some(json!({ "telegram_chat_id": -1_000_000_100_777_i64 })),
        ),
        (Method::DELETE, format!("{c}/telegram/link"), None),
    ]
}

/// A chat of `alice` with one message; its id and the message's.
async fn chat_with_a_message(app: &TestApp, alice: &User) -> (Uuid, String) {
    let chat = app.create_group(alice, &[]).await;
    let sent: Value = app
        .send(alice, chat, "hello")
        .await
        .json()
        .await
        .expect("json");
    (
        chat,
        sent["message_id"].as_str().expect("message_id").to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strangers_get_the_same_404_whether_the_chat_exists_or_not() {
    let app = TestApp::spawn().await;
    let (alice, mallory) = (User::new("Alice"), User::new("Mallory"));
    let (active, message) = chat_with_a_message(&app, &alice).await;
    let (archived, _) = chat_with_a_message(&app, &alice).await;
    let (deleted, _) = chat_with_a_message(&app, &alice).await;
    let archive = app
        .call(
            Method::DELETE,
            &format!("/api/chats/{archived}"),
            Some(&alice.token),
            None,
        )
        .await;
    assert_eq!(archive.status(), 200);
    app.hard_delete(&alice, deleted).await;
    let absent = Uuid::now_v7();

    let before: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    for chat in [active, archived, deleted, absent] {
        for (method, path, body) in chat_routes(chat, &message, alice.id) {
            let response = app
                .call(method.clone(), &path, Some(&mallory.token), body)
                .await;
            assert_eq!(response.status(), 404, "{method} {path}");
            let body: Value = response.json().await.expect("json");
            assert_eq!(
                body,
                json!({ "error": { "code": "chat_not_found", "message": "chat not found" } }),
                "{method} {path}"
            );
        }
    }
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(after, before, "a stranger stored nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sends_location_answers_the_message_to_participants() {
    let app = TestApp::spawn().await;
    let (alice, bob, mallory) = (User::new("Alice"), User::new("Bob"), User::new("Mallory"));
    let chat = app.create_group(&alice, &[&bob]).await;
    let sent = app.send(&alice, chat, "find me").await;
    assert_eq!(sent.status(), 201);
    let location = sent.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let sent: Value = sent.json().await.expect("json");

    let message = app.get_json(&bob, &location).await;
    assert_eq!(message["id"], sent["message_id"]);
    assert_eq!(message["content"], "find me");
    assert_eq!(message["sender_id"], json!(alice.id));

    let stranger = app
        .call(Method::GET, &location, Some(&mallory.token), None)
        .await;
    assert_eq!(error_code(stranger, 404).await, "chat_not_found");
    for unknown in [Uuid::now_v1(&[1, 2, 3, 4, 5, 6]), Uuid::now_v7()] {
        let path = format!("/api/chats/{chat}/messages/{unknown}");
        let response = app.call(Method::GET, &path, Some(&bob.token), None).await;
        assert_eq!(
            error_code(response, 404).await,
            "message_not_found",
            "{unknown}"
        );
    }

    let deleted = app
        .call(Method::DELETE, &location, Some(&alice.token), None)
        .await;
    assert_eq!(deleted.status(), 200);
    // Deletes are projected asynchronously: the message reads as deleted soon after.
    let message = chat_test_kit::eventually("the delete", Duration::from_secs(30), || {
        let (app, bob, location) = (&app, &bob, &location);
        async move {
            let message = app.get_json(bob, location).await;
            (message["is_deleted"] == true).then_some(message)
        }
    })
    .await;
    assert_eq!(message["content"], Value::Null);
}
