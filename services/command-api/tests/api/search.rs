//! Message and chat search: what a participant finds after sends, edits, deletes, hard
//! deletes and their removal; stemming of Russian and English; bad queries; the senders'
//! names as the user directory knows them now.

use std::time::{Duration, Instant};

use chat_test_kit::tokens::user_token;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, User, error_code};

/// `text` percent-encoded for a query string.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The search answer for `q` (and `extra` parameters) as `user`, expecting 200.
async fn search(app: &TestApp, user: &User, q: &str, extra: &str) -> Value {
    let path = format!("/api/search/messages?q={}{extra}", encode(q));
    app.get_json(user, &path).await
}

/// The message ids `user` finds for `q`.
async fn found(app: &TestApp, user: &User, q: &str) -> Vec<String> {
    search(app, user, q, "").await["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["message_id"].as_str().expect("message_id").to_owned())
        .collect()
}

/// Waits until `user`'s search for `q` finds exactly `expected` (the projection is ASYNC).
async fn eventually_found(app: &TestApp, user: &User, q: &str, expected: &[&str]) {
    chat_test_kit::eventually(q, Duration::from_secs(30), || async {
        (found(app, user, q).await == expected).then_some(())
    })
    .await;
}

/// Sends `content` to `chat` as `user`; the message id.
async fn send(app: &TestApp, user: &User, chat: Uuid, content: &str) -> String {
    let response = app.send(user, chat, content).await;
    assert_eq!(response.status(), 201, "send");
    let body: Value = response.json().await.expect("json");
    body["message_id"].as_str().expect("message_id").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_is_found_after_send_by_its_new_text_after_an_edit_and_never_after_a_delete() {
    let app = TestApp::spawn().await;
    let (alice, bob, mallory) = (User::new("Alice"), User::new("Bob"), User::new("Mallory"));
    let chat = app.create_group(&alice, &[&bob]).await;
    let sent_at = Instant::now();
    let id = send(&app, &alice, chat, "The <b>quarterly</b> zeppelin report").await;
    eventually_found(&app, &bob, "zeppelin", &[&id]).await;
    println!("searchable {:?} after the send", sent_at.elapsed());
    let hit = &search(&app, &bob, "zeppelin", "").await["messages"][0];
    assert_eq!(hit["chat_id"], chat.to_string());
    assert_eq!(hit["sender_name"], "Alice");
    let snippet = hit["snippet"].as_str().expect("snippet");
    assert!(snippet.contains("<mark>zeppelin</mark>"), "{snippet}");
    assert!(
        snippet == "The &lt;b&gt;quarterly&lt;/b&gt; <mark>zeppelin</mark> report",
        "escaped: {snippet}"
    );
    assert_eq!(
        found(&app, &mallory, "zeppelin").await,
        Vec::<String>::new()
    );

    app.edit(&alice, chat, &id, "The quarterly airship report")
        .await;
    eventually_found(&app, &bob, "airship", &[&id]).await;
    assert_eq!(
        found(&app, &bob, "zeppelin").await,
        Vec::<String>::new(),
        "old text"
    );

    app.delete_message(&alice, chat, &id).await;
    eventually_found(&app, &bob, "airship", &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_participant_finds_nothing_at_once_and_nobody_after_a_hard_delete() {
    let app = TestApp::spawn().await;
    let (alice, bob) = (User::new("Alice"), User::new("Bob"));
    let chat = app.create_group(&alice, &[&bob]).await;
    let id = send(&app, &alice, chat, "walrus migration plan").await;
    eventually_found(&app, &bob, "walrus", &[&id]).await;

    let remove = app
        .call(
            Method::DELETE,
            &format!("/api/chats/{chat}/participants/{}", bob.id),
            Some(&alice.token),
            None,
        )
        .await;
    assert!(remove.status().is_success());
    assert_eq!(
        found(&app, &bob, "walrus").await,
        Vec::<String>::new(),
        "at once"
    );
    let scoped = app
        .call(
            Method::GET,
            &format!("/api/search/messages?q=walrus&chat_id={chat}"),
            Some(&bob.token),
            None,
        )
        .await;
    assert_eq!(error_code(scoped, 404).await, "chat_not_found");

    assert_eq!(found(&app, &alice, "walrus").await, [id.as_str()]);
    app.hard_delete(&alice, chat).await;
    assert_eq!(
        found(&app, &alice, "walrus").await,
        Vec::<String>::new(),
        "at once"
    );
    // The projection forgets the chat's messages too.
    chat_test_kit::eventually("search rows purged", Duration::from_secs(30), || async {
        let left: i64 =
            sqlx::query_scalar("SELECT count(*) FROM message_search WHERE chat_id = $1")
                .bind(chat)
                .fetch_one(&app.db.pool)
                .await
                .expect("count");
        (left == 0).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn russian_and_english_words_are_found_in_any_form_best_first_a_page_at_a_time() {
    let app = TestApp::spawn().await;
    let alice = User::new("Alice");
    let chat = app.create_group(&alice, &[]).await;
    let russian = send(&app, &alice, chat, "Новое сообщение в канале").await;
    let english = send(&app, &alice, chat, "Running the nightly migrations").await;
    // The chat's events are indexed in order: once the second is found, so is the first.
    eventually_found(&app, &alice, "migration runs", &[&english]).await;
    assert_eq!(found(&app, &alice, "сообщения").await, [russian.as_str()]);
    assert_eq!(
        found(&app, &alice, "\"nightly migration\"").await,
        [english]
    );

    // The best match first; pages continue from the cursor, each hit once.
    let mut ids = Vec::new();
    for content in [
        "deploy",
        "deploy deploy deploy",
        "deploy note",
        "deploy deploy",
    ] {
        ids.push(send(&app, &alice, chat, content).await);
    }
    chat_test_kit::eventually("4 deploys", Duration::from_secs(30), || async {
        (found(&app, &alice, "deploy").await.len() == 4).then_some(())
    })
    .await;
    assert_eq!(
        found(&app, &alice, "deploy").await[0],
        ids[1],
        "most mentions first"
    );
    let first = search(&app, &alice, "deploy", "&limit=3").await;
    let cursor = first["next_cursor"].as_str().expect("cursor");
    let second = search(&app, &alice, "deploy", &format!("&limit=3&cursor={cursor}")).await;
    let mut paged: Vec<&str> = [&first, &second]
        .iter()
        .flat_map(|p| p["messages"].as_array().expect("messages"))
        .map(|m| m["message_id"].as_str().expect("id"))
        .collect();
    assert_eq!(second["next_cursor"], Value::Null);
    paged.sort_unstable();
    let mut all: Vec<&str> = ids.iter().map(String::as_str).collect();
    all.sort_unstable();
    assert_eq!(paged, all);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chats_are_found_by_name_and_bad_queries_answer_4xx() {
    let app = TestApp::spawn().await;
    let (alice, mallory) = (User::new("Alice"), User::new("Mallory"));
    let response = app
        .call(
            Method::POST,
            "/api/chats",
            Some(&alice.token),
            Some(json!({ "type": "group", "name": "Проект Альфа" })),
        )
        .await;
    assert_eq!(response.status(), 201);
    let project = response.json::<Value>().await.expect("json")["chat_id"].clone();
    app.create_group(&alice, &[]).await;
    for q in ["проекты", "альф", "ПРОЕКТ"] {
        let path = format!("/api/search/chats?q={}", encode(q));
        let chats = app.get_json(&alice, &path).await["chats"].clone();
        let ids: Vec<&Value> = chats
            .as_array()
            .expect("chats")
            .iter()
            .map(|c| &c["id"])
            .collect();
        assert_eq!(ids, [&project], "{q}");
        let theirs = app.get_json(&mallory, &path).await;
        assert_eq!(theirs["chats"], json!([]), "{q}");
    }

    let long = "a".repeat(1_000);
    for (route, q, extra) in [
        ("messages", "", ""),
        ("messages", "   ", ""),
        ("messages", long.as_str(), ""),
        ("messages", "!!! --- \"\" ()", ""),
        ("messages", "&|!:*", ""),
        ("messages", "word", "&limit=0"),
        ("messages", "word", "&limit=51"),
        ("messages", "word", "&cursor=forged"),
        ("messages", "word", "&chat_id=nope"),
        ("messages", "word", "&sort=asc"),
        ("chats", "", ""),
        ("chats", "...", ""),
        ("chats", long.as_str(), ""),
    ] {
        let path = format!("/api/search/{route}?q={}{extra}", encode(q));
        let response = app.call(Method::GET, &path, Some(&alice.token), None).await;
        error_code(response, 400).await;
    }
    for path in ["/api/search/messages", "/api/search/chats"] {
        let response = app.call(Method::GET, path, Some(&alice.token), None).await;
        error_code(response, 400).await;
        let control = format!("{path}?q=a%07b");
        let response = app
            .call(Method::GET, &control, Some(&alice.token), None)
            .await;
        assert_eq!(error_code(response, 422).await, "invalid_text");
    }
    // Stop words alone are a valid query that finds nothing.
    assert_eq!(
        found(&app, &alice, "the and or").await,
        Vec::<String>::new()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hit_shows_its_sender_under_the_newest_name_the_directory_knows() {
    let app = TestApp::spawn().await;
    let (alice, bob) = (User::new("Alice"), User::new("Bob"));
    let chat = app.create_group(&alice, &[&bob]).await;
    let id = send(&app, &alice, chat, "The gondola timetable").await;
    eventually_found(&app, &bob, "gondola", &[&id]).await;
    // Alice acts again under a new name: her older message's hit follows it.
    let renamed = User {
        id: alice.id,
        name: "Alice Smith".to_owned(),
        token: user_token(alice.id, "Alice Smith"),
    };
    assert_eq!(app.send(&renamed, chat, "renamed").await.status(), 201);
    chat_test_kit::eventually("the hit renamed", Duration::from_secs(30), || async {
        let hit = &search(&app, &bob, "gondola", "").await["messages"][0];
        (hit["sender_name"] == "Alice Smith").then_some(())
    })
    .await;
}
