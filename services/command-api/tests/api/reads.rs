//! The query routes and read-your-writes, against both projectors running in-process.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, User, error_code};

const TIMES: usize = 100;

/// Polls `probe` until it returns `true` or 30 s passed (ASYNC projections).
async fn eventually<F, Fut>(what: &str, mut probe: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    chat_test_kit::eventually(what, Duration::from_secs(30), || {
        let done = probe();
        async move { done.await.then_some(()) }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_created_chat_is_readable_at_once_100_times_out_of_100() {
    let app = TestApp::spawn().await;
    let (alice, bob) = (User::new("Alice"), User::new("Bob"));
    let mut created = Vec::new();
    for i in 0..TIMES {
        let response = app
            .call(
                Method::POST,
                "/api/chats",
                Some(&alice.token),
                Some(json!({ "type": "group", "name": format!("room {i}"), "participants": [bob.id] })),
            )
            .await;
        assert_eq!(response.status(), 201, "create {i}");
        let chat = response.json::<Value>().await.expect("json")["chat_id"]
            .as_str()
            .expect("chat_id")
            .to_owned();
        // At once, by the other participant too.
        let details = app.get_json(&bob, &format!("/api/chats/{chat}")).await;
        assert_eq!(details["name"], format!("room {i}"), "details {i}");
        assert_eq!(details["participant_count"], 2);
        assert_eq!(details["role"], "member");
        created.push(chat);
    }
    let list = app.get_json(&alice, "/api/chats").await;
    let listed: Vec<&str> = list["chats"]
        .as_array()
        .expect("chats")
        .iter()
        .map(|c| c["id"].as_str().expect("id"))
        .collect();
    assert_eq!(listed.len(), TIMES);
    assert!(created.iter().all(|c| listed.contains(&c.as_str())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sent_message_is_in_the_history_at_once_100_times_out_of_100() {
    let app = TestApp::spawn().await;
    let (alice, bob) = (User::new("Alice"), User::new("Bob"));
    let chat = app.create_group(&alice, &[&bob]).await;
    for i in 0..TIMES {
        let response = app.send(&alice, chat, &format!("message {i}")).await;
        assert_eq!(response.status(), 201, "send {i}");
        let sent = response.json::<Value>().await.expect("json")["message_id"].clone();
        let page = app
            .get_json(&bob, &format!("/api/chats/{chat}/messages?limit=1"))
            .await;
        assert_eq!(page["messages"][0]["id"], sent, "history {i}");
        assert_eq!(page["messages"][0]["content"], format!("message {i}"));
    }
    let list = app.get_json(&bob, "/api/chats").await;
    assert_eq!(
        list["chats"][0]["last_message"]["content"],
        format!("message {}", TIMES - 1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chats_are_visible_to_participants_only_and_bad_queries_answer_400() {
    let app = TestApp::spawn().await;
    let (alice, stranger) = (User::new("Alice"), User::new("Mallory"));
    let chat = app.create_group(&alice, &[]).await;
    for path in [
        format!("/api/chats/{chat}"),
        format!("/api/chats/{chat}/participants"),
        format!("/api/chats/{chat}/messages"),
    ] {
        let response = app
            .call(Method::GET, &path, Some(&stranger.token), None)
            .await;
        assert_eq!(error_code(response, 404).await, "chat_not_found", "{path}");
        let unknown = path.replace(&chat.to_string(), &Uuid::now_v7().to_string());
        let response = app
            .call(Method::GET, &unknown, Some(&alice.token), None)
            .await;
        assert_eq!(
            error_code(response, 404).await,
            "chat_not_found",
            "{unknown}"
        );
    }
    for query in ["limit=0", "limit=101", "limit=x", "before=nope", "sort=asc"] {
        let path = format!("/api/chats/{chat}/messages?{query}");
        let response = app.call(Method::GET, &path, Some(&alice.token), None).await;
        assert_eq!(response.status(), 400, "{query}");
    }
    // A UUID that is not a TIMEUUID cannot be a cursor.
    let path = format!("/api/chats/{chat}/messages?before={}", Uuid::now_v7());
    let response = app.call(Method::GET, &path, Some(&alice.token), None).await;
    assert_eq!(error_code(response, 400).await, "invalid_cursor");
    let list = app.get_json(&stranger, "/api/chats").await;
    assert_eq!(list["chats"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unread_counts_and_participants_follow_the_async_events_exactly() {
    let app = TestApp::spawn().await;
    let (alice, bob, carol) = (User::new("Alice"), User::new("Bob"), User::new("Carol"));
    let chat = app.create_group(&alice, &[&bob, &carol]).await;
    let mut ids = Vec::new();
    for i in 0..3 {
        let response = app.send(&alice, chat, &format!("m{i}")).await;
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.expect("json");
        ids.push(body["message_id"].as_str().expect("id").to_owned());
    }
    let unread = |user: User| {
        let app = &app;
        async move {
            let list = app.get_json(&user, "/api/chats").await;
            list["chats"][0]["unread_count"]
                .as_u64()
                .expect("unread_count")
        }
    };
    eventually("bob has 3 unread", || async {
        unread(bob.clone()).await == 3
    })
    .await;
    assert_eq!(
        unread(alice.clone()).await,
        0,
        "own messages are never unread"
    );

    let read = app
        .call(
            Method::POST,
            &format!("/api/chats/{chat}/read"),
            Some(&bob.token),
            Some(json!({ "message_id": ids[1] })),
        )
        .await;
    assert_eq!(read.status(), 200);
    eventually("bob has 1 unread", || async {
        unread(bob.clone()).await == 1
    })
    .await;

    let delete = app
        .call(
            Method::DELETE,
            &format!("/api/chats/{chat}/messages/{}", ids[2]),
            Some(&alice.token),
            None,
        )
        .await;
    assert_eq!(delete.status(), 200);
    eventually("bob has 0 unread", || async {
        unread(bob.clone()).await == 0
    })
    .await;
    eventually("carol has 2 unread", || async {
        unread(carol.clone()).await == 2
    })
    .await;
    let page = app
        .get_json(&bob, &format!("/api/chats/{chat}/messages"))
        .await;
    assert_eq!(page["messages"][0]["is_deleted"], true);
    assert_eq!(page["messages"][0]["content"], Value::Null);

    let removed = app
        .call(
            Method::DELETE,
            &format!("/api/chats/{chat}/participants/{}", carol.id),
            Some(&alice.token),
            None,
        )
        .await;
    assert_eq!(removed.status(), 200);
    eventually("carol is gone", || async {
        let list = app
            .get_json(&alice, &format!("/api/chats/{chat}/participants"))
            .await;
        list["participants"].as_array().expect("list").len() == 2
    })
    .await;
    let response = app
        .call(
            Method::GET,
            &format!("/api/chats/{chat}"),
            Some(&carol.token),
            None,
        )
        .await;
    assert_eq!(error_code(response, 404).await, "chat_not_found");
    let details = app.get_json(&alice, &format!("/api/chats/{chat}")).await;
    assert_eq!(details["participant_count"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_the_projector_has_not_applied_in_time_answers_202_with_its_events() {
    let app = TestApp::spawn_without_projectors(&["--sync-wait-ms=300"]).await;
    let alice = User::new("Alice");
    let response = app
        .call(
            Method::POST,
            "/api/chats",
            Some(&alice.token),
            Some(json!({ "type": "group", "name": "slow" })),
        )
        .await;
    assert_eq!(response.status(), 202);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["events"][0]["type"], "chat_created");
    assert!(body["events"][0]["event_id"].is_string());
    let chat = body["chat_id"].as_str().expect("chat_id");
    // Stored (the write path has it), but not readable yet.
    let response = app
        .call(
            Method::GET,
            &format!("/api/chats/{chat}"),
            Some(&alice.token),
            None,
        )
        .await;
    assert_eq!(response.status(), 404);
    // A send, and its idempotent retry, say the same: stored, not yet visible.
    for _ in 0..2 {
        let response = app
            .call(
                Method::POST,
                &format!("/api/chats/{chat}/messages"),
                Some(&alice.token),
                Some(json!({ "content": "hi", "client_message_id": "k1" })),
            )
            .await;
        assert_eq!(response.status(), 202);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn active_templates_are_listed_by_category_and_fetched_by_id() {
    let app = TestApp::spawn().await;
    let user = User::new("Alice");
    let (greeting, farewell, retired) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    for (id, name, category, active) in [
        (greeting, "hello", "greetings", true),
        (farewell, "bye", "farewells", true),
        (retired, "old hello", "greetings", false),
    ] {
        sqlx::query(
            "INSERT INTO message_templates (id, name, category, body, is_active) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(name)
        .bind(category)
        .bind(json!({ "text": name }))
        .bind(active)
        .execute(&app.db.pool)
        .await
        .expect("seed a template");
    }
    let all = app.get_json(&user, "/api/templates").await;
    let names: Vec<&str> = all["templates"]
        .as_array()
        .expect("templates")
        .iter()
        .map(|t| t["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["bye", "hello"]);
    let greetings = app
        .get_json(&user, "/api/templates?category=greetings")
        .await;
    assert_eq!(greetings["templates"].as_array().expect("list").len(), 1);
    assert_eq!(
        greetings["templates"][0]["body"],
        json!({ "text": "hello" })
    );
    let one = app
        .get_json(&user, &format!("/api/templates/{greeting}"))
        .await;
    assert_eq!(one["category"], "greetings");
    for id in [retired, Uuid::now_v7()] {
        let response = app
            .call(
                Method::GET,
                &format!("/api/templates/{id}"),
                Some(&user.token),
                None,
            )
            .await;
        assert_eq!(error_code(response, 404).await, "template_not_found");
    }
    let response = app.call(Method::GET, "/api/templates", None, None).await;
    assert_eq!(response.status(), 401);
}
