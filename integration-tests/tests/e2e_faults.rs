//! End-to-end fault scenarios, every service a real process: nothing lost, nothing
//! duplicated when a projector is killed or stopped mid-stream, when a gateway dies under
//! its clients, or when command-api restarts under retrying clients.

use std::collections::BTreeMap;
use std::time::Duration;

use chat_test_kit::client::{Api, Socket, User};
use chat_test_kit::system::System;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(60);

/// Every message of the chat's history, oldest first, walking pages with `before`.
async fn all_messages(api: &Api, user: &User, chat: Uuid) -> Vec<Value> {
    let mut out = Vec::new();
    let mut before: Option<String> = None;
    loop {
        let cursor = before
            .as_ref()
            .map(|b| format!("&before={b}"))
            .unwrap_or_default();
        let page = api
            .expect(
                200,
                user,
                Method::GET,
                &format!("/api/chats/{chat}/messages?limit=100{cursor}"),
                None,
            )
            .await;
        let messages = page["messages"].as_array().expect("messages").clone();
        out.extend(messages);
        match page["next_before"].as_str() {
            Some(next) => before = Some(next.to_owned()),
            None => break,
        }
    }
    out.reverse();
    out
}

/// Polls the history until it holds `count` messages (ASYNC writes may trail).
async fn wait_history(api: &Api, user: &User, chat: Uuid, count: usize) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let messages = all_messages(api, user, chat).await;
        if messages.len() >= count || tokio::time::Instant::now() > deadline {
            return messages;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn contents(messages: &[Value]) -> Vec<String> {
    messages
        .iter()
        .map(|m| m["content"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn projectors_killed_or_stopped_mid_stream_lose_and_duplicate_nothing() {
    let mut system = System::start().await;
    let api = Api::new(system.api());
    let (alice, bob) = (User::new("Alice"), User::new("Bob"));
    let chat = api.create_group(&alice, &[&bob]).await;
    const SENDS: usize = 60;

    let sender = {
        let (api, alice) = (api.clone(), alice.clone());
        tokio::spawn(async move {
            for i in 0..SENDS {
                let (status, body) = api
                    .call(
                        &alice,
                        Method::POST,
                        &format!("/api/chats/{chat}/messages"),
                        Some(json!({ "content": format!("m{i:03}") })),
                    )
                    .await;
                // 202 = stored, projection not yet visible (projector-sync was down).
                assert!(status == 201 || status == 202, "{status} {body}");
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    system.kill("projector-sync").await; // crash: no chance to commit
    system.restart("projector-sync").await;
    let status = system.terminate("projector-async").await; // SIGTERM: graceful
    assert!(
        status.success(),
        "projector-async exits cleanly on SIGTERM: {status:?}"
    );
    system.restart("projector-async").await;
    sender.await.expect("all sends accepted");

    let messages = wait_history(&api, &bob, chat, SENDS).await;
    let expected: Vec<String> = (0..SENDS).map(|i| format!("m{i:03}")).collect();
    assert_eq!(
        contents(&messages),
        expected,
        "every message once, in order"
    );
    // The counters are exact too: Bob has read nothing.
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let list = api.expect(200, &bob, Method::GET, "/api/chats", None).await;
        let unread = list["chats"][0]["unread_count"].as_u64();
        if unread == Some(SENDS as u64) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "unread never exact: {unread:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_of_a_killed_gateway_resume_on_another_replica() {
    let mut system = System::start().await;
    system
        .start_instance("wse-gateway", "wse-gateway-2", &[])
        .await;
    let api = Api::new(system.api());
    let (alice, bob) = (User::new("Alice"), User::new("Bob"));
    let chat = api.create_group(&alice, &[&bob]).await;

    let mut socket = Socket::connect(&system.ws("wse-gateway"), &bob, "").await;
    let mut last = 0;
    for i in 0..5 {
        let sent = api.send_message(&alice, chat, &format!("before {i}")).await;
        last = sent["version"].as_u64().expect("version");
    }
    let seen = socket.events_until(chat, last, WAIT).await;
    assert_eq!(seen.last().map(|(_, v)| *v), Some(last));

    system.kill("wse-gateway").await;
    let mut missed = Vec::new();
    for i in 0..5 {
        let sent = api.send_message(&alice, chat, &format!("after {i}")).await;
        missed.push(sent["version"].as_u64().expect("version"));
    }
    let mut resumed = Socket::connect(
        &system.ws("wse-gateway-2"),
        &bob,
        &format!("resume={chat}:{last}"),
    )
    .await;
    let replayed = resumed
        .events_until(chat, *missed.last().expect("sent"), WAIT)
        .await;
    let versions: Vec<u64> = replayed.iter().map(|(_, v)| *v).collect();
    assert_eq!(versions, missed, "exactly what was missed, in order");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_with_idempotency_keys_across_a_command_api_restart_store_each_message_once() {
    let mut system = System::start().await;
    let api = Api::new(system.api());
    let alice = User::new("Alice");
    let chat = api.create_group(&alice, &[]).await;
    const SENDS: usize = 80;

    let client = {
        let (api, alice) = (api.clone(), alice.clone());
        tokio::spawn(async move {
            let mut outcomes = BTreeMap::new();
            for i in 0..SENDS {
                let key = format!("key-{i}");
                let body = json!({ "content": format!("m{i:03}") });
                // Retry until the server answers: the same key each time.
                let deadline = tokio::time::Instant::now() + WAIT;
                loop {
                    match api
                        .try_call(
                            &alice,
                            Method::POST,
                            &format!("/api/chats/{chat}/messages"),
                            Some(body.clone()),
                            Some(&key),
                        )
                        .await
                    {
                        Ok((status, json)) if status < 500 => {
                            outcomes.insert(i, (status, json["message_id"].clone()));
                            break;
                        }
                        _ => {
                            assert!(
                                tokio::time::Instant::now() < deadline,
                                "command-api never came back"
                            );
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    }
                }
            }
            outcomes
        })
    };
    tokio::time::sleep(Duration::from_millis(400)).await;
    system.kill("command-api").await;
    system.restart("command-api").await;
    let outcomes = client.await.expect("client finished");

    assert!(
        outcomes.values().all(|(s, _)| [200, 201, 202].contains(s)),
        "{outcomes:?}"
    );
    let messages = wait_history(&api, &alice, chat, SENDS).await;
    let expected: Vec<String> = (0..SENDS).map(|i| format!("m{i:03}")).collect();
    assert_eq!(contents(&messages), expected, "each message once");
    // The id each client call got back is the stored message's id.
    for (i, (_, id)) in &outcomes {
        assert_eq!(&messages[*i]["id"], id, "message {i}");
    }
}

/// Frames of `chat` a socket receives within `within`, as (type, version).
async fn frames_of(socket: &mut Socket, chat: Uuid, within: Duration) -> Vec<(String, u64)> {
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + within;
    while let Some(frame) = socket
        .next_within(deadline.saturating_duration_since(tokio::time::Instant::now()))
        .await
    {
        if frame["p"]["chat_id"].as_str() == Some(chat.to_string().as_str()) {
            let t = frame["t"].as_str().unwrap_or_default().to_owned();
            seen.push((t, frame["p"]["version"].as_u64().unwrap_or_default()));
        }
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removal_holds_at_once_for_reads_and_sockets_while_projector_async_is_stopped() {
    let mut system = System::start().await;
    let api = Api::new(system.api());
    let (alice, bob) = (User::new("Alice"), User::new("Bob"));
    let chat = api.create_group(&alice, &[&bob]).await;
    let mut socket = Socket::connect(&system.ws("wse-gateway"), &bob, "").await;
    let before = api.send_message(&alice, chat, "before").await;
    let before = before["version"].as_u64().expect("version");
    assert_eq!(socket.events_until(chat, before, WAIT).await.len(), 1);

    // projector-async applies removals to the read models: with it stopped, they lag.
    system.kill("projector-async").await;
    let removed = api
        .expect(
            200,
            &alice,
            Method::DELETE,
            &format!("/api/chats/{chat}/participants/{}", bob.id),
            None,
        )
        .await;
    let removal = removed["version"].as_u64().expect("version");
    let after = api.send_message(&alice, chat, "after the removal").await;
    let message = after["message_id"].as_str().expect("message id").to_owned();
    let lagging: bool = sqlx::query_scalar(
        "SELECT is_active FROM chat_participants WHERE chat_id = $1 AND user_id = $2",
    )
    .bind(chat)
    .bind(bob.id)
    .fetch_one(&system.db.pool)
    .await
    .expect("the read model row");
    assert!(lagging, "the read model still lists Bob: the lag is real");

    // No read: every route answers as for a chat that does not exist.
    for path in [
        format!("/api/chats/{chat}"),
        format!("/api/chats/{chat}/messages"),
        format!("/api/chats/{chat}/messages/{message}"),
        format!("/api/chats/{chat}/participants"),
    ] {
        let (status, body) = api.call(&bob, Method::GET, &path, None).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (404, Some("chat_not_found")),
            "{path}"
        );
    }
    let (_, list) = api.call(&bob, Method::GET, "/api/chats", None).await;
    let listed: Vec<&str> = list["chats"]
        .as_array()
        .expect("chats")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert!(!listed.contains(&chat.to_string().as_str()), "{list}");

    // No frame after the removal: not on the open socket, not on one opened now (seeded
    // from the membership authority by a replica started during the lag), not on resume.
    system
        .start_instance("wse-gateway", "wse-gateway-2", &[])
        .await;
    let mut fresh = Socket::connect(&system.ws("wse-gateway-2"), &bob, "").await;
    let mut resumed = Socket::connect(
        &system.ws("wse-gateway"),
        &bob,
        &format!("resume={chat}:{before}"),
    )
    .await;
    api.send_message(&alice, chat, "later still").await;
    // (The removal itself may reach Bob: it tells his client to drop the chat.)
    for (name, socket, within) in [
        ("the open socket", &mut socket, 3),
        ("a socket on a new replica", &mut fresh, 2),
        ("a resumed socket", &mut resumed, 1),
    ] {
        let frames = frames_of(socket, chat, Duration::from_secs(within)).await;
        assert!(
            frames.iter().all(|(_, v)| *v <= removal),
            "{name}: {frames:?}"
        );
    }
}
