//! Direct chats: one live chat per pair, whose id follows from the pair; after a hard
//! delete the pair starts a new one.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, User, error_code};

/// `POST /api/chats` of a direct chat of `user` with `other`: the status and chat id.
async fn create_direct(app: &TestApp, user: &User, other: &User) -> (u16, String) {
    let response = app
        .call(
            Method::POST,
            "/api/chats",
            Some(&user.token),
            Some(json!({ "type": "direct", "participants": [other.id] })),
        )
        .await;
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("json");
    (
        status,
        body["chat_id"].as_str().expect("chat_id").to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pair_whose_direct_chat_was_hard_deleted_starts_a_new_one() {
    let app = TestApp::spawn().await;
    let (alice, bob) = (User::new("Alice"), User::new("Bob"));
    let (status, first) = create_direct(&app, &alice, &bob).await;
    assert_eq!(status, 201);
    assert_eq!(
        create_direct(&app, &bob, &alice).await,
        (200, first.clone())
    );

    app.hard_delete(&alice, first.parse().expect("a chat id"))
        .await;

    let (status, second) = create_direct(&app, &bob, &alice).await;
    assert_eq!(status, 201, "a new direct chat for the pair");
    assert_ne!(second, first);
    assert_eq!(
        create_direct(&app, &alice, &bob).await,
        (200, second.clone())
    );
    let sent = app
        .send(&bob, second.parse().expect("uuid"), "hello again")
        .await;
    assert_eq!(sent.status(), 201);

    let gone = app
        .call(
            Method::GET,
            &format!("/api/chats/{first}"),
            Some(&alice.token),
            None,
        )
        .await;
    assert_eq!(error_code(gone, 404).await, "chat_not_found");
    let list = app.get_json(&alice, "/api/chats").await;
    let ids: Vec<&str> = list["chats"]
        .as_array()
        .expect("chats")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids, [second.as_str()], "one live direct chat for the pair");
}
