//! End to end, through the public interfaces only, with every service a real process:
//! a company chat's whole life watched by WebSocket clients, and a direct chat.

use std::time::Duration;

use chat_test_kit::client::{Api, Socket, User};
use chat_test_kit::system::System;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(20);

fn id(json: &Value, field: &str) -> Uuid {
    json[field].as_str().expect(field).parse().expect("uuid")
}

/// Polls the caller's entry for `chat` in `GET /api/chats` until its unread count is
/// `unread` (ASYNC projections are eventually consistent: poll with a deadline).
async fn wait_unread(api: &Api, user: &User, chat: Uuid, unread: u64) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let list = api.expect(200, user, Method::GET, "/api/chats", None).await;
        let entry = list["chats"]
            .as_array()
            .expect("chats")
            .iter()
            .find(|c| c["id"] == json!(chat))
            .cloned();
        if entry
            .as_ref()
            .is_some_and(|e| e["unread_count"] == json!(unread))
        {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{}'s unread count never became {unread}: {entry:?}",
            user.name
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_company_chat_from_creation_to_hard_delete() {
    let system = System::start().await;
    let api = Api::new(system.api());
    let (alice, bob, carol) = (User::new("Alice"), User::new("Bob"), User::new("Carol"));

    let created = api
        .expect(
            201,
            &alice,
            Method::POST,
            "/api/chats",
            Some(json!({
                "type": "company", "name": "Acme", "company_id": Uuid::now_v7(), "participants": []
            })),
        )
        .await;
    let chat = id(&created, "chat_id");
    let path = format!("/api/chats/{chat}");
    // Read-your-writes: the chat is there at once.
    let details = api.expect(200, &alice, Method::GET, &path, None).await;
    assert_eq!(details["name"], "Acme");

    let mut bob_socket = Socket::connect(&system.ws("wse-gateway"), &bob, "").await;
    let mut alice_socket = Socket::connect(&system.ws("wse-gateway"), &alice, "").await;
    api.expect(
        200,
        &alice,
        Method::POST,
        &format!("{path}/participants"),
        Some(json!({ "user_id": bob.id })),
    )
    .await;
    api.expect(
        200,
        &alice,
        Method::POST,
        &format!("{path}/participants"),
        Some(json!({ "user_id": carol.id, "role": "observer" })),
    )
    .await;

    let hello = api.send_message(&alice, chat, "hello team").await;
    let hello_id = id(&hello, "message_id");
    let reply = api
        .expect(
            201,
            &bob,
            Method::POST,
            &format!("{path}/messages"),
            Some(json!({ "content": "hi!", "reply_to": hello_id })),
        )
        .await;
    let reply_id = id(&reply, "message_id");
    let (status, refused) = api
        .call(
            &carol,
            Method::POST,
            &format!("{path}/messages"),
            Some(json!({ "content": "can I?" })),
        )
        .await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (403, Some("observer_cannot_write"))
    );

    // Bob's socket saw his own admission and everything after it, in order.
    let reply_version = reply["version"].as_u64().expect("version");
    let seen = bob_socket.events_until(chat, reply_version, WAIT).await;
    let types: Vec<&str> = seen.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        types,
        [
            "participant_added",
            "participant_added",
            "message_sent",
            "message_sent"
        ],
        "{seen:?}"
    );
    let versions: Vec<u64> = seen.iter().map(|(_, v)| *v).collect();
    assert!(
        versions.windows(2).all(|w| w[1] == w[0] + 1),
        "gapless: {versions:?}"
    );

    // Unread: Carol has two unread messages, Bob has Alice's one.
    wait_unread(&api, &carol, chat, 2).await;
    wait_unread(&api, &bob, chat, 1).await;
    let read = api
        .expect(
            200,
            &bob,
            Method::POST,
            &format!("{path}/read"),
            Some(json!({ "message_id": reply_id })),
        )
        .await;
    assert!(read["version"].as_u64() > Some(reply_version));
    wait_unread(&api, &bob, chat, 0).await;

    // Edit and delete; the history shows both (eventually: ASYNC projections).
    let edited = api
        .expect(
            200,
            &alice,
            Method::PATCH,
            &format!("{path}/messages/{hello_id}"),
            Some(json!({ "content": "hello, team" })),
        )
        .await;
    let deleted = api
        .expect(
            200,
            &bob,
            Method::DELETE,
            &format!("{path}/messages/{reply_id}"),
            None,
        )
        .await;
    let last = deleted["version"].as_u64().expect("version");
    assert!(last > edited["version"].as_u64().expect("version"));
    let seen = alice_socket.events_until(chat, last, WAIT).await;
    assert!(
        seen.iter().any(|(t, _)| t == "message_edited")
            && seen.iter().any(|(t, _)| t == "message_deleted"),
        "{seen:?}"
    );
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let messages = api.history(&alice, chat).await;
        let by_id = |m: Uuid| {
            messages
                .iter()
                .find(|x| x["id"] == json!(m))
                .cloned()
                .expect("in history")
        };
        if by_id(hello_id)["is_edited"] == true && by_id(reply_id)["is_deleted"] == true {
            assert_eq!(by_id(hello_id)["content"], "hello, team");
            assert_eq!(by_id(reply_id)["reply_to"], json!(hello_id));
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "edit and delete never projected"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Roles: Bob becomes admin, so Alice, no longer the last admin, may leave.
    api.expect(
        200,
        &alice,
        Method::PATCH,
        &format!("{path}/participants/{}", bob.id),
        Some(json!({ "role": "admin" })),
    )
    .await;
    api.expect(
        200,
        &alice,
        Method::DELETE,
        &format!("{path}/participants/{}", alice.id),
        None,
    )
    .await;
    let (status, _) = api
        .call(&alice, Method::GET, &format!("{path}/messages"), None)
        .await;
    let _ = status; // the read model catches up asynchronously; the write side is exact:
    let (status, gone) = api
        .call(
            &alice,
            Method::POST,
            &format!("{path}/messages"),
            Some(json!({ "content": "still here?" })),
        )
        .await;
    assert_eq!(
        (status, gone["error"]["code"].as_str()),
        (404, Some("chat_not_found"))
    );

    // Archive, refuse, restore, hard delete.
    api.expect(200, &bob, Method::DELETE, &path, None).await;
    let (status, archived) = api
        .call(
            &bob,
            Method::POST,
            &format!("{path}/messages"),
            Some(json!({ "content": "x" })),
        )
        .await;
    assert_eq!(
        (status, archived["error"]["code"].as_str()),
        (409, Some("chat_archived"))
    );
    api.expect(200, &bob, Method::POST, &format!("{path}/restore"), None)
        .await;
    api.send_message(&bob, chat, "back").await;
    api.expect(
        200,
        &bob,
        Method::DELETE,
        &format!("{path}?hard=true"),
        None,
    )
    .await;
    let (status, _) = api
        .call(
            &bob,
            Method::POST,
            &format!("{path}/messages"),
            Some(json!({ "content": "x" })),
        )
        .await;
    assert_eq!(status, 404);
    alice_socket.close().await;
    bob_socket.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_direct_chat_is_one_per_pair_and_private() {
    let system = System::start().await;
    let api = Api::new(system.api());
    let (ann, ben, eve) = (User::new("Ann"), User::new("Ben"), User::new("Eve"));
    let first = api
        .expect(
            201,
            &ann,
            Method::POST,
            "/api/chats",
            Some(json!({ "type": "direct", "participants": [ben.id] })),
        )
        .await;
    let again = api
        .expect(
            200,
            &ben,
            Method::POST,
            "/api/chats",
            Some(json!({ "type": "direct", "participants": [ann.id] })),
        )
        .await;
    let chat = id(&first, "chat_id");
    assert_eq!(id(&again, "chat_id"), chat);

    let mut eve_socket = Socket::connect(&system.ws("wse-gateway"), &eve, "").await;
    api.send_message(&ben, chat, "psst").await;
    let messages = api.history(&ann, chat).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["content"], "psst");
    assert_eq!(
        api.call(
            &eve,
            Method::GET,
            &format!("/api/chats/{chat}/messages"),
            None
        )
        .await
        .0,
        404
    );
    assert!(
        eve_socket
            .next_within(Duration::from_secs(2))
            .await
            .is_none(),
        "Eve sees nothing of it"
    );
}
