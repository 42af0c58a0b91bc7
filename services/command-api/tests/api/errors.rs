//! Every error status of the API, reached through the API; none is a 500.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{TestApp, User, error_code};
use chat_test_kit::tokens::{TEST_SECRET, expired_token, service_token, sign};

#[tokio::test]
async fn authentication_failures_answer_401() {
    let app = TestApp::spawn().await;
    let alice = User::new("Alice");
    let chat = app.create_group(&alice, &[]).await;
    let path = format!("/api/chats/{chat}/messages");
    let body = || Some(json!({ "content": "hi" }));

    let none = app.call(Method::POST, &path, None, body()).await;
    assert_eq!(error_code(none, 401).await, "unauthenticated");

    let forged = sign(
        &json!({ "sub": alice.id, "exp": 4_000_000_000_u64 }),
        "another secret",
    );
    let bad = app.call(Method::POST, &path, Some(&forged), body()).await;
    assert_eq!(error_code(bad, 401).await, "unauthenticated");

    let garbage = app
        .call(Method::POST, &path, Some("not.a.jwt"), body())
        .await;
    assert_eq!(error_code(garbage, 401).await, "unauthenticated");

    let expired = app
        .call(Method::POST, &path, Some(&expired_token(alice.id)), body())
        .await;
    assert_eq!(error_code(expired, 401).await, "token_expired");

    let untrusted = app
        .call(Method::POST, &path, Some(&service_token("mallory")), body())
        .await;
    assert_eq!(error_code(untrusted, 401).await, "unauthenticated");
}

#[tokio::test]
async fn token_claims_are_checked_and_a_refused_one_answers_401_naming_it() {
    let app = TestApp::spawn().await;
    let alice = User::new("Alice");
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let create = |token: String| {
        let app = &app;
        async move {
            let body = json!({ "type": "group", "name": "team", "participants": [] });
            app.call(Method::POST, "/api/chats", Some(&token), Some(body))
                .await
        }
    };
    let claims = |extra: serde_json::Value| {
        let mut claims = json!({ "sub": alice.id, "exp": now + 3600 });
        claims
            .as_object_mut()
            .expect("object")
            .extend(extra.as_object().expect("object").clone());
        sign(&claims, TEST_SECRET)
    };

    // No audience or issuer is configured: a token naming them is accepted.
    let named = claims(json!({ "aud": ["chat", "billing"], "iss": "https://id.example" }));
    assert_eq!(create(named).await.status(), 201);

    for (extra, claim) in [
        (json!({ "nbf": now + 3600 }), "nbf"),
        (json!({ "name": "a\u{0}b" }), "name"),
        (json!({ "name": "x".repeat(256) }), "name"),
    ] {
        let refused = create(claims(extra.clone())).await;
        assert_eq!(refused.status(), 401, "{extra}");
        let body: serde_json::Value = refused.json().await.expect("json");
        assert_eq!(body["error"]["code"], "unauthenticated", "{extra}");
        let message = body["error"]["message"].as_str().expect("message");
        assert!(message.contains(claim), "{extra}: {message}");
    }
}

#[tokio::test]
async fn rule_violations_answer_403_404_409() {
    let app = TestApp::spawn().await;
    let (alice, bob, carol) = (User::new("Alice"), User::new("Bob"), User::new("Carol"));
    let chat = app.create_group(&alice, &[&bob]).await;

    let outsider = app.send(&carol, chat, "let me in").await;
    assert_eq!(error_code(outsider, 404).await, "chat_not_found");

    let rename = app
        .call(
            Method::PATCH,
            &format!("/api/chats/{chat}"),
            Some(&bob.token),
            Some(json!({ "name": "mine" })),
        )
        .await;
    assert_eq!(error_code(rename, 403).await, "not_an_admin");

    let unknown_chat = app.send(&alice, uuid::Uuid::now_v7(), "anyone?").await;
    assert_eq!(error_code(unknown_chat, 404).await, "chat_not_found");

    let unknown_message = app
        .call(
            Method::PATCH,
            &format!(
                "/api/chats/{chat}/messages/{}",
                uuid::Uuid::now_v1(&[1, 2, 3, 4, 5, 6])
            ),
            Some(&alice.token),
            Some(json!({ "content": "edited" })),
        )
        .await;
    assert_eq!(error_code(unknown_message, 404).await, "message_not_found");

    let again = app
        .call(
            Method::POST,
            &format!("/api/chats/{chat}/participants"),
            Some(&alice.token),
            Some(json!({ "user_id": bob.id })),
        )
        .await;
    assert_eq!(error_code(again, 409).await, "already_participant");

    let archive = app
        .call(
            Method::DELETE,
            &format!("/api/chats/{chat}"),
            Some(&alice.token),
            None,
        )
        .await;
    assert_eq!(archive.status(), 200);
    let into_archived = app.send(&alice, chat, "hello?").await;
    assert_eq!(error_code(into_archived, 409).await, "chat_archived");
}

#[tokio::test]
async fn malformed_requests_answer_400_413_415_422() {
    let app = TestApp::spawn().await;
    let alice = User::new("Alice");
    let chat = app.create_group(&alice, &[]).await;
    let path = format!("/api/chats/{chat}/messages");

    let not_json = app
        .execute(
            app.client
                .post(app.url(&path))
                .bearer_auth(&alice.token)
                .header("content-type", "application/json")
                .body("{\"content\": "),
        )
        .await;
    assert_eq!(error_code(not_json, 400).await, "invalid_json");

    let missing = app
        .call(Method::POST, &path, Some(&alice.token), Some(json!({})))
        .await;
    let code = error_code(missing, 422).await;
    assert_eq!(code, "invalid_body");

    let wrong_type = app
        .call(
            Method::POST,
            &path,
            Some(&alice.token),
            Some(json!({ "content": 5 })),
        )
        .await;
    assert_eq!(error_code(wrong_type, 422).await, "invalid_body");

    let oversize = app.send(&alice, chat, &"x".repeat(10_001)).await;
    assert_eq!(error_code(oversize, 413).await, "message_too_long");

    let huge_body = app.send(&alice, chat, &"x".repeat(100_000)).await;
    assert_eq!(error_code(huge_body, 413).await, "body_too_large");

    let empty = app.send(&alice, chat, "   ").await;
    assert_eq!(error_code(empty, 422).await, "message_empty");

    let text_plain = app
        .execute(
            app.client
                .post(app.url(&path))
                .bearer_auth(&alice.token)
                .header("content-type", "text/plain")
                .body("hi"),
        )
        .await;
    assert_eq!(error_code(text_plain, 415).await, "unsupported_media_type");

    let bad_id = app
        .call(
            Method::POST,
            "/api/chats/not-a-uuid/messages",
            Some(&alice.token),
            Some(json!({ "content": "x" })),
        )
        .await;
    assert_eq!(error_code(bad_id, 400).await, "invalid_path");

    let no_route = app
        .call(Method::GET, "/api/nothing-here", Some(&alice.token), None)
        .await;
    assert_eq!(error_code(no_route, 404).await, "no_such_route");

    // Nothing of the above stored anything beyond the chat's creation.
    assert_eq!(app.stored_versions(chat).await, vec![1, 2]);
}

#[tokio::test]
async fn a_telegram_supergroup_serves_one_chat_at_a_time() {
    let app = TestApp::spawn().await;
    let alice = User::new("Alice");
    let (first, second) = (
        app.create_group(&alice, &[]).await,
        app.create_group(&alice, &[]).await,
    );
    let link = |chat: uuid::Uuid| {
        let (app, token) = (&app, alice.token.clone());
        async move {
            let path = format!("/api/chats/{chat}/telegram/link");
            let body = json!({ "telegram_chat_id": -1_001_234_567_890_i64 });
            app.call(Method::POST, &path, Some(&token), Some(body))
                .await
        }
    };
    assert_eq!(link(first).await.status(), 200);
    let taken = link(second).await;
    assert_eq!(
        error_code(taken, 409).await,
        "telegram_chat_linked_elsewhere"
    );
    // Nothing of the refused link was stored.
    assert_eq!(app.stored_versions(second).await, vec![1, 2]);

    let unlink = app
        .call(
            Method::DELETE,
            &format!("/api/chats/{first}/telegram/link"),
            Some(&alice.token),
            None,
        )
        .await;
    assert_eq!(unlink.status(), 200);
    assert_eq!(link(second).await.status(), 200, "free again once unlinked");
}

#[tokio::test]
async fn a_supergroup_and_its_topics_are_claimed_by_one_chat() {
    let app = TestApp::spawn().await;
    let (alice, bob) = (User::new("Alice"), User::new("Bob"));
    let link = |user: &User, chat: uuid::Uuid, topic: Option<i64>| {
        let (app, token) = (&app, user.token.clone());
        async move {
            let path = format!("/api/chats/{chat}/telegram/link");
            let body =
                json!({ "telegram_chat_id": -1_000_000_100_777_i64, "telegram_topic_id": topic });
            app.call(Method::POST, &path, Some(&token), Some(body))
                .await
        }
    };
    let whole = app.create_group(&alice, &[]).await;
    let topic_seven = app.create_group(&bob, &[]).await;
    let topic_eight = app.create_group(&bob, &[]).await;

    // The whole group first: no topic of it can be claimed by another chat.
    assert_eq!(link(&alice, whole, None).await.status(), 200);
    let taken = link(&bob, topic_seven, Some(7)).await;
    assert_eq!(
        error_code(taken, 409).await,
        "telegram_chat_linked_elsewhere"
    );
    assert_eq!(app.stored_versions(topic_seven).await, vec![1, 2]);

    // Topics first: two topics may serve two chats, but then not the whole group.
    let unlink = app
        .call(
            Method::DELETE,
            &format!("/api/chats/{whole}/telegram/link"),
            Some(&alice.token),
            None,
        )
        .await;
    assert_eq!(unlink.status(), 200);
    assert_eq!(link(&bob, topic_seven, Some(7)).await.status(), 200);
    assert_eq!(link(&bob, topic_eight, Some(8)).await.status(), 200);
    let taken = link(&alice, whole, None).await;
    assert_eq!(
        error_code(taken, 409).await,
        "telegram_chat_linked_elsewhere"
    );
}

#[tokio::test]
async fn only_supergroups_and_real_topics_link() {
    let app = TestApp::spawn().await;
    let alice = User::new("Alice");
    let chat = app.create_group(&alice, &[]).await;
    let path = format!("/api/chats/{chat}/telegram/link");
    for (body, code) in [
        (
            json!({ "telegram_chat_id": -123_456_789 }),
            "telegram_chat_not_supergroup",
        ),
        (
            json!({ "telegram_chat_id": 777 }),
            "telegram_chat_not_supergroup",
        ),
        (
            json!({ "telegram_chat_id": -1_001_234_567_890_i64, "telegram_topic_id": 0 }),
            "telegram_topic_invalid",
        ),
    ] {
        let response = app
            .call(Method::POST, &path, Some(&alice.token), Some(body.clone()))
            .await;
        assert_eq!(error_code(response, 422).await, code, "{body}");
    }
    assert_eq!(app.stored_versions(chat).await, vec![1, 2]);
}
