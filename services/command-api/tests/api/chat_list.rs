//! `GET /api/chats` a page at a time with its filters, `GET /api/chats/unread`, and the
//! unread count of `GET /api/chats/{id}`.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, User, error_code};

/// The ids of a chat list page, in order.
fn ids(page: &Value) -> Vec<String> {
    page["chats"]
        .as_array()
        .expect("chats")
        .iter()
        .map(|c| c["id"].as_str().expect("id").to_owned())
        .collect()
}

/// Polls `GET path` as `user` until `done` holds (the ASYNC projections catch up).
async fn eventually_json(
    app: &TestApp,
    user: &User,
    path: &str,
    done: fn(&Value) -> bool,
) -> Value {
    chat_test_kit::eventually(path, Duration::from_secs(30), || async {
        let body = app.get_json(user, path).await;
        done(&body).then_some(body)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chat_list_pages_newest_activity_first_and_filters() {
    let app = TestApp::spawn().await;
    let (alice, bob) = (User::new("Alice"), User::new("Bob"));
    let company = Uuid::now_v7();
    let older = app.create_group(&alice, &[&bob]).await;
    let response = app
        .call(
            Method::POST,
            "/api/chats",
            Some(&alice.token),
            Some(json!({ "type": "company", "name": "acme", "company_id": company })),
        )
        .await;
    assert_eq!(response.status(), 201);
    let company_chat = response.json::<Value>().await.expect("json")["chat_id"]
        .as_str()
        .expect("chat_id")
        .to_owned();
    let archived = app.create_group(&alice, &[]).await;
    app.archive(&alice, archived).await;
    // The oldest chat becomes the most recently active one.
    assert_eq!(app.send(&alice, older, "hello").await.status(), 201);

    let page = eventually_json(&app, &alice, "/api/chats", |p| {
        p["chats"].as_array().is_some_and(|c| c.len() == 2)
    })
    .await;
    assert_eq!(ids(&page), [older.to_string(), company_chat.clone()]);
    assert_eq!(page["chats"][0]["last_message"]["content"], "hello");
    assert_eq!(page["next_cursor"], Value::Null);

    // One a page: the cursor continues where the page ended.
    let first = app.get_json(&alice, "/api/chats?limit=1").await;
    assert_eq!(ids(&first), [older.to_string()]);
    let cursor = first["next_cursor"].as_str().expect("a cursor");
    let second = app
        .get_json(&alice, &format!("/api/chats?limit=1&cursor={cursor}"))
        .await;
    assert_eq!(ids(&second), [company_chat.as_str()]);

    let only_archived = app.get_json(&alice, "/api/chats?archived=true").await;
    assert_eq!(ids(&only_archived), [archived.to_string()]);
    let companies = app.get_json(&alice, "/api/chats?type=company").await;
    assert_eq!(ids(&companies), [company_chat.as_str()]);
    let of_company = app
        .get_json(&alice, &format!("/api/chats?company_id={company}"))
        .await;
    assert_eq!(ids(&of_company), [company_chat]);
    let groups = app
        .get_json(&alice, "/api/chats?type=group&archived=false")
        .await;
    assert_eq!(ids(&groups), [older.to_string()]);

    for query in [
        "limit=0",
        "limit=201",
        "limit=-1",
        "limit=x",
        "cursor=forged",
        "cursor=",
        "type=channel",
        "archived=maybe",
        "company_id=acme",
        "sort=asc",
    ] {
        let path = format!("/api/chats?{query}");
        let response = app.call(Method::GET, &path, Some(&alice.token), None).await;
        error_code(response, 400).await;
    }
}

/// The newest message of `chat` as Bob's list and the chat's details show it.
async fn newest_in_list_and_details(app: &TestApp, bob: &User, chat: Uuid) -> (Value, Value) {
    let list = app.get_json(bob, "/api/chats").await;
    let listed = list["chats"]
        .as_array()
        .expect("chats")
        .iter()
        .find(|c| c["id"] == chat.to_string())
        .expect("the chat is listed")["last_message"]
        .clone();
    let details = app.get_json(bob, &format!("/api/chats/{chat}")).await;
    (listed, details["last_message"].clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_newest_message_shown_follows_its_edit_and_delete_and_old_rows_read_it_from_history() {
    let app = TestApp::spawn().await;
    let (alice, bob) = (User::new("Alice"), User::new("Bob"));
    let chat = app.create_group(&alice, &[&bob]).await;
    let sent = app.send(&alice, chat, "draft").await;
    assert_eq!(sent.status(), 201);
    let id = sent.json::<Value>().await.expect("json")["message_id"]
        .as_str()
        .expect("message_id")
        .to_owned();
    let (listed, detailed) = newest_in_list_and_details(&app, &bob, chat).await;
    assert_eq!(
        (&listed["content"], &detailed["content"]),
        (&json!("draft"), &json!("draft"))
    );

    app.edit(&alice, chat, &id, "final").await;
    let (listed, detailed) =
        chat_test_kit::eventually("the edit", Duration::from_secs(30), || async {
            let (listed, detailed) = newest_in_list_and_details(&app, &bob, chat).await;
            (listed["content"] == "final" && detailed["content"] == "final")
                .then_some((listed, detailed))
        })
        .await;
    assert_eq!(listed, detailed);
    assert_eq!(
        (listed["id"].as_str(), listed["is_edited"].as_bool()),
        (Some(id.as_str()), Some(true))
    );
    // History's copy is projector-async's, which may come a little later.
    let path = format!("/api/chats/{chat}/messages?limit=1");
    let history = eventually_json(&app, &bob, &path, |h| {
        h["messages"][0]["content"] == "final"
    })
    .await;
    assert_eq!(history["messages"][0], listed, "as history shows it");

    // A row projected before chats kept their newest message: read from the messages.
    sqlx::query("UPDATE chats SET last_message = NULL WHERE id = $1")
        .bind(chat)
        .execute(&app.db.pool)
        .await
        .expect("forget the kept message");
    let (old_row, old_details) = newest_in_list_and_details(&app, &bob, chat).await;
    assert_eq!((&old_row, &old_details), (&listed, &listed));

    app.delete_message(&alice, chat, &id).await;
    let (listed, _) = chat_test_kit::eventually("the delete", Duration::from_secs(30), || async {
        let (listed, detailed) = newest_in_list_and_details(&app, &bob, chat).await;
        (listed["is_deleted"] == true && detailed["is_deleted"] == true)
            .then_some((listed, detailed))
    })
    .await;
    assert_eq!(
        (listed["id"].as_str(), &listed["content"]),
        (Some(id.as_str()), &Value::Null)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unread_totals_and_chat_details_count_exactly() {
    let app = TestApp::spawn().await;
    let (alice, bob) = (User::new("Alice"), User::new("Bob"));
    let first = app.create_group(&alice, &[&bob]).await;
    let second = app.create_group(&alice, &[&bob]).await;
    for (chat, n) in [(first, 2), (second, 1)] {
        for i in 0..n {
            assert_eq!(app.send(&alice, chat, &format!("m{i}")).await.status(), 201);
        }
    }
    let totals = eventually_json(&app, &bob, "/api/chats/unread", |t| t["unread_count"] == 3).await;
    assert_eq!(totals, json!({ "unread_count": 3, "chats_with_unread": 2 }));
    let details = app.get_json(&bob, &format!("/api/chats/{first}")).await;
    assert_eq!(details["unread_count"], 2);
    assert_eq!(
        app.get_json(&alice, "/api/chats/unread").await,
        json!({ "unread_count": 0, "chats_with_unread": 0 }),
        "own messages are never unread"
    );

    // Archiving a chat takes it out of the badge.
    app.archive(&alice, second).await;
    eventually_json(&app, &bob, "/api/chats/unread", |t| {
        *t == json!({ "unread_count": 2, "chats_with_unread": 1 })
    })
    .await;
}
