//! Media messages over the memory object store and uploads: granted, checked against
//! what is stored, and shown with a download URL.

use bytes::Bytes;
use chat_media::MediaStore;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, User, error_code};

/// Bytes that start like a PNG (nothing reads further).
const PNG: &[u8] = b"\x89PNG\r\n\x1a\nnot really an image";

#[tokio::test]
async fn an_upload_is_sent_once_its_bytes_are_stored_and_shown_with_a_url() {
    let app = TestApp::spawn().await;
    let (alice, bob, eve) = (User::new("Alice"), User::new("Bob"), User::new("Eve"));
    let chat = app.create_group(&alice, &[&bob]).await;
    let asked = json!({ "name": "photo.png", "size": PNG.len(), "mime_type": "image/png" });
    let attachments = format!("/api/chats/{chat}/attachments");
    let ticket = app
        .expect(&alice, Method::POST, &attachments, Some(asked), 201)
        .await;
    let upload = ticket["upload_id"].as_str().expect("upload_id").to_owned();
    let send = |user: &User| {
        let body = json!({
            "content": "",
            "attachment": { "upload_id": upload, "width": 640, "height": 480 },
        });
        let (app, token) = (&app, user.token.clone());
        async move {
            let path = format!("/api/chats/{chat}/messages");
            app.call(Method::POST, &path, Some(&token), Some(body))
                .await
        }
    };

    assert_eq!(
        error_code(send(&alice).await, 422).await,
        "upload_incomplete"
    );
    assert_eq!(error_code(send(&bob).await, 403).await, "upload_not_yours");
    let key = format!("chats/{chat}/{upload}");
    app.media
        .put(&key, Bytes::from_static(PNG), "image/png")
        .await
        .expect("stored");
    let sent = send(&alice).await;
    assert_eq!(sent.status(), 201);

    let history = app
        .get_json(&bob, &format!("/api/chats/{chat}/messages"))
        .await;
    let message: &Value = &history["messages"][0];
    assert_eq!(message["message_type"], "image");
    assert_eq!(message["attachment"]["key"], key);
    assert_eq!(message["attachment"]["size"], PNG.len());
    assert_eq!(
        message["attachment"]["url"],
        format!("memory://get/{key}?ttl=600")
    );
    let theirs = json!({ "name": "x.png", "size": PNG.len(), "mime_type": "image/png" });
    let stranger = app
        .call(Method::POST, &attachments, Some(&eve.token), Some(theirs))
        .await;
    assert_eq!(error_code(stranger, 404).await, "chat_not_found");
}
