//! What the API refuses, and how: 401 without a valid token, the same 404 for a stranger
//! whether the chat exists or not, 403 for a participant without the right, 400 and 422
//! for bad input, each with the error shape (`{"error": {"code", "message"}}`).

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, User, error_code};

/// Every chat route a user may call, with a well-formed body.
fn chat_routes(chat: Uuid, message: &str, someone: Uuid) -> Vec<(Method, String, Option<Value>)> {
    let c = format!("/api/chats/{chat}");
    let m = format!("{c}/messages/{message}");
    let p = format!("{c}/participants");
    vec![
        (Method::GET, c.clone(), None),
        (Method::PATCH, c.clone(), Some(json!({ "name": "mine" }))),
        (Method::DELETE, c.clone(), None),
        (Method::POST, format!("{c}/restore"), None),
        (Method::GET, format!("{c}/messages"), None),
        (
            Method::POST,
            format!("{c}/messages"),
            Some(json!({ "content": "hi" })),
        ),
        (Method::GET, m.clone(), None),
        (Method::PATCH, m.clone(), Some(json!({ "content": "x" }))),
        (Method::DELETE, m.clone(), None),
        (Method::GET, format!("{m}/history"), None),
        (
            Method::POST,
            format!("{c}/read"),
            Some(json!({ "message_id": message })),
        ),
        (Method::GET, p.clone(), None),
        (Method::POST, p.clone(), Some(json!({ "user_id": someone }))),
        (Method::DELETE, format!("{p}/{someone}"), None),
    ]
}

/// A chat of `alice` with one message; its id and the message's.
async fn chat_with_a_message(app: &TestApp, alice: &User) -> (Uuid, String) {
    let chat = app.create_group(alice, &[]).await;
    (chat, app.sent(alice, chat, "private").await)
}

#[tokio::test]
async fn strangers_get_the_same_404_whether_the_chat_exists_or_not() {
    let app = TestApp::spawn().await;
    let (alice, mallory) = (User::new("Alice"), User::new("Mallory"));
    let (active, message) = chat_with_a_message(&app, &alice).await;
    let (archived, _) = chat_with_a_message(&app, &alice).await;
    let (deleted, _) = chat_with_a_message(&app, &alice).await;
    let archive = format!("/api/chats/{archived}");
    app.expect(&alice, Method::DELETE, &archive, None, 200)
        .await;
    app.hard_delete(&alice, deleted).await;
    let before: Vec<Vec<i64>> = futures_util::future::join_all(
        [active, archived, deleted].map(|chat| app.stored_versions(chat)),
    )
    .await;

    for target in [active, archived, deleted, Uuid::now_v7()] {
        for (method, path, body) in chat_routes(target, &message, alice.id) {
            let response = app
                .call(method.clone(), &path, Some(&mallory.token), body)
                .await;
            let code = error_code(response, 404).await;
            assert_eq!(code, "chat_not_found", "{method} {path}");
        }
    }
    let after: Vec<Vec<i64>> = futures_util::future::join_all(
        [active, archived, deleted].map(|chat| app.stored_versions(chat)),
    )
    .await;
    assert_eq!(after, before, "nothing stored");
}

#[tokio::test]
async fn a_member_may_not_do_what_only_admins_do() {
    let app = TestApp::spawn().await;
    let (alice, bob, carol) = (User::new("Alice"), User::new("Bob"), User::new("Carol"));
    let chat = app.create_group(&alice, &[&bob]).await;
    let before = app.stored_versions(chat).await;
    let participants = format!("/api/chats/{chat}/participants");
    let refusals = [
        (
            Method::POST,
            participants.clone(),
            Some(json!({ "user_id": carol.id })),
        ),
        (Method::DELETE, format!("{participants}/{}", alice.id), None),
        (
            Method::PATCH,
            format!("/api/chats/{chat}"),
            Some(json!({ "name": "bob's" })),
        ),
        (Method::DELETE, format!("/api/chats/{chat}"), None),
    ];
    for (method, path, body) in refusals {
        let response = app
            .call(method.clone(), &path, Some(&bob.token), body)
            .await;
        assert_eq!(
            error_code(response, 403).await,
            "not_an_admin",
            "{method} {path}"
        );
    }
    assert_eq!(app.stored_versions(chat).await, before, "nothing stored");
}

#[tokio::test]
async fn callers_without_a_valid_token_get_401() {
    let app = TestApp::spawn().await;
    for token in [None, Some("not-a-jwt")] {
        let response = app.call(Method::GET, "/api/chats", token, None).await;
        assert_eq!(response.status(), 401, "{token:?}");
        let body: Value = response.json().await.expect("json");
        assert!(body["error"]["code"].is_string(), "{body}");
    }
}

#[tokio::test]
async fn bad_input_answers_4xx_with_the_error_shape() {
    let app = TestApp::spawn().await;
    let alice = User::new("Alice");
    let chat = app.create_group(&alice, &[]).await;
    let messages = format!("/api/chats/{chat}/messages");

    let empty = app.send(&alice, chat, "   ").await;
    assert_eq!(error_code(empty, 422).await, "message_empty");
    let unknown_field = Some(json!({ "content": "x", "colour": "red" }));
    let response = app
        .call(Method::POST, &messages, Some(&alice.token), unknown_field)
        .await;
    assert_eq!(response.status(), 422);
    for query in ["limit=0", "limit=101", "before=nope"] {
        let path = format!("{messages}?{query}");
        let response = app.call(Method::GET, &path, Some(&alice.token), None).await;
        assert_eq!(response.status(), 400, "{query}");
    }
    let not_a_cursor = format!("{messages}?before={}", Uuid::now_v7());
    let response = app
        .call(Method::GET, &not_a_cursor, Some(&alice.token), None)
        .await;
    assert_eq!(error_code(response, 400).await, "invalid_cursor");
    let bad_page = app
        .call(
            Method::GET,
            "/api/chats?cursor=zzz",
            Some(&alice.token),
            None,
        )
        .await;
    assert_eq!(bad_page.status(), 400);
    let nowhere = app
        .call(Method::GET, "/api/nowhere", Some(&alice.token), None)
        .await;
    error_code(nowhere, 404).await;
}

#[tokio::test]
async fn search_is_unavailable_without_postgresql() {
    let app = TestApp::spawn().await;
    let alice = User::new("Alice");
    let response = app
        .call(
            Method::GET,
            "/api/search/chats?q=team",
            Some(&alice.token),
            None,
        )
        .await;
    assert_eq!(error_code(response, 503).await, "unavailable");
}
