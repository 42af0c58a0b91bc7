//! End to end with every service a real process and the bridge in fake-Telegram mode: a
//! chat linked to a supergroup mirrors messages, edits and deletes both ways, once each,
//! with no echo, driven only through the REST API, a WebSocket and the fake's HTTP face.

use std::time::Duration;

use chat_test_kit::client::{Api, Socket, User};
use chat_test_kit::eventually;
use chat_test_kit::system::System;
use chat_test_kit::telegram::{FakeTelegramClient, TelegramUser};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(30);
const TOM: TelegramUser = (4242, "Tom");

/// The texts the bridge wrote into the group (its `outgoing` messages), oldest first.
async fn mirrored(telegram: &FakeTelegramClient, group: i64) -> Vec<String> {
    telegram
        .messages(group)
        .await
        .into_iter()
        .filter(|m| m["outgoing"] == true)
        .map(|m| m["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The history's messages that came from Telegram message `id`.
async fn from_telegram(api: &Api, user: &User, chat: Uuid, id: i64) -> Vec<Value> {
    api.history(user, chat)
        .await
        .into_iter()
        .filter(|m| m["telegram_message_id"] == id)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_linked_chat_mirrors_messages_edits_and_deletes_both_ways_once() {
    let system = System::start().await;
    let api = Api::new(system.api());
    let telegram = FakeTelegramClient::new(system.addr("telegram-bridge"));
    let (alice, bob) = (User::new("Alice"), User::new("Bob"));
    let created = api
        .expect(
            201,
            &alice,
            Method::POST,
            "/api/chats",
            Some(json!({ "type": "group", "name": "support", "participants": [bob.id] })),
        )
        .await;
    let chat: Uuid = created["chat_id"]
        .as_str()
        .expect("id")
        .parse()
        .expect("uuid");
    let group = -1_000_000_000_001 - i64::from(Uuid::new_v4().as_fields().1);
    let link = format!("/api/chats/{chat}/telegram/link");
    let (status, body) = api
        .call(
            &alice,
            Method::POST,
            &link,
            Some(json!({ "telegram_chat_id": group })),
        )
        .await;
    assert!((200..300).contains(&status), "link: {status} {body}");
    let mut bob_ws = Socket::connect(&system.ws("wse-gateway"), &bob, "").await;
    let messages = format!("/api/chats/{chat}/messages");

    // Chat -> Telegram: once, with the sender's name (events are mirrored in order, so
    // the message after it shows a duplicate would be there too).
    let hello = api.send_message(&alice, chat, "hello").await;
    let hello_id = hello["message_id"].as_str().expect("id").to_owned();
    eventually("hello in Telegram", WAIT, || async {
        mirrored(&telegram, group)
            .await
            .contains(&"Alice: hello".to_owned())
            .then_some(())
    })
    .await;

    // Telegram -> chat: once in the history and on Bob's socket, and not echoed.
    let tom_says = telegram.post(group, TOM, "hi from Telegram", None).await;
    let received = eventually("Tom's message in the chat", WAIT, || async {
        let found = from_telegram(&api, &alice, chat, tom_says).await;
        (!found.is_empty()).then_some(found)
    })
    .await;
    assert_eq!(received.len(), 1, "once: {received:?}");
    assert_eq!(received[0]["content"], "hi from Telegram");
    assert_eq!(received[0]["sender_name"], "Tom");
    let version = received[0]["version"].as_u64().expect("version");
    let pushed = bob_ws.events_until(chat, version, WAIT).await;
    assert_eq!(
        pushed.last(),
        Some(&("telegram_message_received".to_owned(), version)),
        "on Bob's socket: {pushed:?}"
    );

    // Edits both ways.
    api.expect(
        200,
        &alice,
        Method::PATCH,
        &format!("{messages}/{hello_id}"),
        Some(json!({ "content": "hello, edited" })),
    )
    .await;
    eventually("the edit in Telegram", WAIT, || async {
        let texts = mirrored(&telegram, group).await;
        (texts == ["Alice: hello, edited"]).then_some(())
    })
    .await;
    telegram.edit(group, tom_says, "hi, edited").await;
    eventually("Tom's edit in the chat", WAIT, || async {
        let found = from_telegram(&api, &alice, chat, tom_says).await;
        (found.len() == 1 && found[0]["content"] == "hi, edited").then_some(())
    })
    .await;

    // Deletes both ways.
    api.expect(
        200,
        &alice,
        Method::DELETE,
        &format!("{messages}/{hello_id}"),
        None,
    )
    .await;
    eventually("the delete in Telegram", WAIT, || async {
        mirrored(&telegram, group).await.is_empty().then_some(())
    })
    .await;
    telegram.delete(group, tom_says).await;
    eventually("Tom's delete in the chat", WAIT, || async {
        let found = from_telegram(&api, &alice, chat, tom_says).await;
        (found.len() == 1 && found[0]["is_deleted"] == true).then_some(())
    })
    .await;

    // None of Tom's actions came back to Telegram as the bridge's own: after a last chat
    // message, the group holds exactly that one from the bridge.
    api.send_message(&alice, chat, "bye").await;
    eventually("bye in Telegram", WAIT, || async {
        (mirrored(&telegram, group).await == ["Alice: bye"]).then_some(())
    })
    .await;
    let tom_left: Vec<Value> = telegram
        .messages(group)
        .await
        .into_iter()
        .filter(|m| m["outgoing"] == false)
        .collect();
    assert!(
        tom_left.is_empty(),
        "Tom's message was deleted: {tom_left:?}"
    );
}
