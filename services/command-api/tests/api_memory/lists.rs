//! The chat list a page at a time, and read positions: unread counts in the list, the
//! details and the totals, exactly as the reads say.

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, User};

#[tokio::test]
async fn the_chat_list_pages_every_chat_once_newest_activity_first() {
    let app = TestApp::spawn().await;
    let alice = User::new("Alice");
    let mut chats = Vec::new();
    for _ in 0..5 {
        chats.push(app.create_group(&alice, &[]).await.to_string());
    }
    // The oldest chat becomes the most recently active.
    let revived: Uuid = chats[0].parse().expect("uuid");
    app.sent(&alice, revived, "back").await;
    let mut expected: Vec<String> = chats[1..].iter().rev().cloned().collect();
    expected.insert(0, chats[0].clone());

    let mut seen = Vec::new();
    let mut path = "/api/chats?limit=2".to_owned();
    loop {
        let page = app.get_json(&alice, &path).await;
        let listed = page["chats"].as_array().expect("chats");
        assert!(listed.len() <= 2);
        seen.extend(
            listed
                .iter()
                .map(|c| c["id"].as_str().expect("id").to_owned()),
        );
        let Some(cursor) = page["next_cursor"].as_str() else {
            break;
        };
        path = format!("/api/chats?limit=2&cursor={cursor}");
    }
    assert_eq!(seen, expected);
}

/// `user`'s unread count of `chat` in the list, in the details, and the totals.
async fn unread(app: &TestApp, user: &User, chat: Uuid) -> (Value, Value, Value) {
    let list = app.get_json(user, "/api/chats").await;
    let row = list["chats"]
        .as_array()
        .expect("chats")
        .iter()
        .find(|c| c["id"] == chat.to_string())
        .expect("the chat is listed")["unread_count"]
        .clone();
    let details = app.get_json(user, &format!("/api/chats/{chat}")).await;
    let totals = app.get_json(user, "/api/chats/unread").await;
    (row, details["unread_count"].clone(), totals)
}

#[tokio::test]
async fn reading_up_to_a_message_counts_down_what_is_unread() {
    let app = TestApp::spawn().await;
    let (alice, bob) = (User::new("Alice"), User::new("Bob"));
    let chat = app.create_group(&alice, &[&bob]).await;
    let mut sent = Vec::new();
    for i in 0..3 {
        sent.push(app.sent(&alice, chat, &format!("m{i}")).await);
    }

    let totals = json!({ "unread_count": 3, "chats_with_unread": 1 });
    assert_eq!(unread(&app, &bob, chat).await, (json!(3), json!(3), totals));
    let none = json!({ "unread_count": 0, "chats_with_unread": 0 });
    assert_eq!(
        unread(&app, &alice, chat).await,
        (json!(0), json!(0), none.clone()),
        "her own messages"
    );

    let read = format!("/api/chats/{chat}/read");
    let up_to_second = Some(json!({ "message_id": sent[1] }));
    app.expect(&bob, Method::POST, &read, up_to_second, 200)
        .await;
    let totals = json!({ "unread_count": 1, "chats_with_unread": 1 });
    assert_eq!(unread(&app, &bob, chat).await, (json!(1), json!(1), totals));
    let details = app.get_json(&bob, &format!("/api/chats/{chat}")).await;
    assert_eq!(details["last_read_message_id"], sent[1].as_str());

    let up_to_last = Some(json!({ "message_id": sent[2] }));
    app.expect(&bob, Method::POST, &read, up_to_last, 200).await;
    assert_eq!(unread(&app, &bob, chat).await, (json!(0), json!(0), none));
}

#[tokio::test]
async fn the_newest_message_in_the_list_follows_its_edit() {
    let app = TestApp::spawn().await;
    let (alice, bob) = (User::new("Alice"), User::new("Bob"));
    let chat = app.create_group(&alice, &[&bob]).await;
    let id = app.sent(&alice, chat, "draft").await;
    let path = format!("/api/chats/{chat}/messages/{id}");
    let edit = Some(json!({ "content": "final" }));
    app.expect(&alice, Method::PATCH, &path, edit, 200).await;

    let list = app.get_json(&bob, "/api/chats").await;
    let newest = &list["chats"][0]["last_message"];
    assert_eq!(newest["id"], id.as_str());
    assert_eq!(newest["content"], "final");
    assert_eq!(newest["sender_name"], "Alice");
}
