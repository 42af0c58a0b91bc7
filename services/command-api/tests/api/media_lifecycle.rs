//! Media messages after they are sent: deletes remove their objects, housekeeping the
//! expired uploads, and the bridge's Telegram files (on the in-memory store).

use std::time::{Duration, Instant};

use bytes::Bytes;
use chat_media::MediaStore;
use command_api::media::sweep::SweptMedia;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, User, error_code};
use crate::media::PNG;

/// Waits until the in-memory store holds exactly `keys` (the media sweep runs in the
/// background, woken by deletes).
async fn wait_keys(app: &TestApp, keys: &[String]) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.media.keys() != keys {
        assert!(
            Instant::now() < deadline,
            "objects left: {:?}",
            app.media.keys()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn deletes_remove_their_objects_at_once_and_housekeeping_the_expired_uploads() {
    let app = TestApp::spawn().await;
    let alice = User::new("Alice");
    let chat = app.create_group(&alice, &[]).await;
    let (kept, kept_key) = app.upload_png(&alice, chat, true).await;
    let (deleted, _) = app.upload_png(&alice, chat, true).await;
    let (_, expired_key) = app.upload_png(&alice, chat, true).await;
    assert_eq!(app.send_upload(&alice, chat, kept, "").await.status(), 201);
    let sent = app.send_upload(&alice, chat, deleted, "").await;
    let sent: Value = sent.json().await.expect("json");
    app.delete_message(&alice, chat, sent["message_id"].as_str().expect("id"))
        .await;
    // The deleted message's object goes without waiting for the next interval.
    let mut left = vec![kept_key.clone(), expired_key.clone()];
    left.sort();
    wait_keys(&app, &left).await;

    // An upload no message took goes once expired (long enough ago that no send can
    // still be taking it); a sweep with nothing to do removes nothing.
    sqlx::query(
        "UPDATE attachment_uploads SET expires_at = now() - interval '1 day' WHERE object_key = $1",
    )
    .bind(&expired_key)
    .execute(&app.db.pool)
    .await
    .expect("expire");
    app.sweeper().sweep().await.expect("sweep");
    assert_eq!(app.media.keys(), std::slice::from_ref(&kept_key));
    assert_eq!(
        app.sweeper().sweep().await.expect("sweep"),
        SweptMedia::default()
    );
    // The deleted message shows without its file (once projector-async applied it).
    let path = format!("/api/chats/{chat}/messages");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let history = app.get_json(&alice, &path).await;
        if history["messages"][0]["is_deleted"] == true {
            assert!(history["messages"][0]["attachment"].is_null());
            break;
        }
        assert!(Instant::now() < deadline, "delete projected");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // A hard delete removes every object of the chat, at once too.
    app.hard_delete(&alice, chat).await;
    wait_keys(&app, &[]).await;
}

#[tokio::test]
async fn the_bridge_posts_a_telegram_photo_it_stored_and_nobody_else_may() {
    let app = TestApp::spawn().await;
    let alice = User::new("Alice");
    let bridge = chat_test_kit::tokens::service_token("telegram-bridge");
    let chat = app.create_group(&alice, &[]).await;
    let group = -1_000_000_100_417_i64;
    let link = json!({ "telegram_chat_id": group });
    let path = format!("/api/chats/{chat}/telegram/link");
    let linked = app
        .call(Method::POST, &path, Some(&alice.token), Some(link))
        .await;
    assert!(linked.status().is_success(), "link");
    let key = format!("chats/{chat}/{}", Uuid::new_v4());
    let photo = |message: i64| {
        json!({
            "telegram_chat_id": group,
            "telegram_message_id": message,
            "telegram_user_id": 42,
            "sender_name": "Ivan",
            "content": "",
            "attachment": {
                "kind": "image", "key": key, "name": "photo.jpg",
                "size": PNG.len(), "mime_type": "image/jpeg", "width": 4, "height": 3,
            },
        })
    };
    let path = format!("/api/chats/{chat}/telegram/messages");

    let missing = app
        .call(Method::POST, &path, Some(&bridge), Some(photo(1)))
        .await;
    assert_eq!(error_code(missing, 422).await, "upload_incomplete");
    let by_user = app
        .call(Method::POST, &path, Some(&alice.token), Some(photo(1)))
        .await;
    assert_eq!(error_code(by_user, 403).await, "service_actor_required");

    app.media
        .put(&key, Bytes::from_static(PNG), "image/jpeg")
        .await
        .expect("stored");
    let received = app
        .call(Method::POST, &path, Some(&bridge), Some(photo(1)))
        .await;
    assert_eq!(received.status(), 201);
    let history = app
        .get_json(&alice, &format!("/api/chats/{chat}/messages"))
        .await;
    let message = &history["messages"][0];
    assert_eq!(message["message_type"], "image");
    assert_eq!(message["source"], "telegram");
    assert_eq!(
        message["attachment"]["url"],
        format!("memory://get/{key}?ttl=600")
    );
    // One object, one message: a second message naming it is refused, nothing stored.
    let before = app.stored_versions(chat).await;
    let again = app
        .call(Method::POST, &path, Some(&bridge), Some(photo(2)))
        .await;
    assert_eq!(error_code(again, 422).await, "upload_already_used");
    assert_eq!(app.stored_versions(chat).await, before);
}
