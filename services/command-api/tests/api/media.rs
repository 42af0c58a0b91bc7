//! Media messages: uploads asked for, checked before a message takes them, and download
//! URLs only participants see (on the in-memory store); the helpers of `media_lifecycle`.

use bytes::Bytes;
use chat_media::MediaStore;
use command_api::media::sweep::MediaSweep;
use reqwest::{Method, Response};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, User, error_code};

pub(crate) const PNG: &[u8] = b"\x89PNG\r\n\x1a\nnot really an image";

impl TestApp {
    /// Asks for an upload of `size` bytes of `mime_type` to `chat` as `user`.
    pub(crate) async fn request_upload(
        &self,
        user: &User,
        chat: Uuid,
        mime_type: &str,
        size: u64,
    ) -> Response {
        let body = json!({ "name": "photo.png", "size": size, "mime_type": mime_type });
        let path = format!("/api/chats/{chat}/attachments");
        self.call(Method::POST, &path, Some(&user.token), Some(body))
            .await
    }

    /// An upload of [`PNG`] granted to `user` in `chat`, its bytes stored when `store`:
    /// its id and object key.
    pub(crate) async fn upload_png(&self, user: &User, chat: Uuid, store: bool) -> (Uuid, String) {
        let response = self
            .request_upload(user, chat, "image/png", PNG.len() as u64)
            .await;
        assert_eq!(response.status(), 201, "upload granted");
        let ticket: Value = response.json().await.expect("json");
        let id: Uuid = ticket["upload_id"]
            .as_str()
            .expect("upload_id")
            .parse()
            .expect("uuid");
        let key = format!("chats/{chat}/{id}");
        assert_eq!(ticket["upload_url"], format!("memory://put/{key}?ttl=900"));
        assert_eq!(ticket["headers"]["Content-Type"], "image/png");
        assert_eq!(ticket["kind"], "image");
        assert_eq!(ticket["max_size"], 20 * 1024 * 1024);
        if store {
            self.media
                .put(&key, Bytes::from_static(PNG), "image/png")
                .await
                .expect("stored");
        }
        (id, key)
    }

    /// Sends `caption` with the upload `upload_id` to `chat` as `user`.
    pub(crate) async fn send_upload(
        &self,
        user: &User,
        chat: Uuid,
        upload_id: Uuid,
        caption: &str,
    ) -> Response {
        let body = json!({
            "content": caption,
            "attachment": { "upload_id": upload_id, "width": 640, "height": 480 },
        });
        let path = format!("/api/chats/{chat}/messages");
        self.call(Method::POST, &path, Some(&user.token), Some(body))
            .await
    }

    pub(crate) fn sweeper(&self) -> MediaSweep {
        let store: std::sync::Arc<dyn MediaStore> =
            std::sync::Arc::<chat_media::MemoryMediaStore>::clone(&self.media);
        MediaSweep::new(self.db.pool.clone(), store)
    }
}

#[tokio::test]
async fn an_image_without_caption_reaches_history_with_a_download_url_for_participants() {
    let app = TestApp::spawn().await;
    let (alice, bob, eve) = (User::new("Alice"), User::new("Bob"), User::new("Eve"));
    let chat = app.create_group(&alice, &[&bob]).await;
    let (upload, key) = app.upload_png(&alice, chat, true).await;

    let sent = app.send_upload(&alice, chat, upload, "").await;
    assert_eq!(sent.status(), 201);
    let sent: Value = sent.json().await.expect("json");
    let id = sent["message_id"].as_str().expect("message_id").to_owned();

    let history = app
        .get_json(&bob, &format!("/api/chats/{chat}/messages"))
        .await;
    let message = &history["messages"][0];
    assert_eq!(message["message_type"], "image");
    assert_eq!(message["content"], "");
    let attachment = &message["attachment"];
    assert_eq!(attachment["key"], key);
    assert_eq!(attachment["name"], "photo.png");
    assert_eq!(attachment["size"], PNG.len());
    assert_eq!(attachment["mime_type"], "image/png");
    assert_eq!(
        (attachment["width"].clone(), attachment["height"].clone()),
        (json!(640), json!(480))
    );
    assert_eq!(attachment["url"], format!("memory://get/{key}?ttl=600"));
    let one = app
        .get_json(&bob, &format!("/api/chats/{chat}/messages/{id}"))
        .await;
    assert_eq!(one["attachment"]["url"], attachment["url"]);

    // A stranger reaches neither route, so never a URL.
    for path in [
        format!("/api/chats/{chat}/messages"),
        format!("/api/chats/{chat}/messages/{id}"),
    ] {
        let response = app.call(Method::GET, &path, Some(&eve.token), None).await;
        assert_eq!(error_code(response, 404).await, "chat_not_found");
    }

    // Edits change the caption only.
    app.edit(&alice, chat, &id, "look").await;
    app.edit(&alice, chat, &id, "").await;
}

#[tokio::test]
async fn files_are_checked_against_their_kind_before_any_byte_is_stored() {
    let app = TestApp::spawn().await;
    let (alice, bob) = (User::new("Alice"), User::new("Bob"));
    let chat = app.create_group(&alice, &[&bob]).await;

    let huge = app
        .request_upload(&alice, chat, "image/png", 20 * 1024 * 1024 + 1)
        .await;
    assert_eq!(error_code(huge, 413).await, "attachment_too_large");
    let html = app.request_upload(&alice, chat, "text/html", 10).await;
    assert_eq!(error_code(html, 415).await, "media_type_not_allowed");
    let body = json!({ "name": "a.png", "size": 10, "mime_type": "image/png", "kind": "voice" });
    let path = format!("/api/chats/{chat}/attachments");
    let voice_png = app
        .call(Method::POST, &path, Some(&alice.token), Some(body))
        .await;
    assert_eq!(error_code(voice_png, 415).await, "media_type_not_allowed");
    let empty = app.request_upload(&alice, chat, "image/png", 0).await;
    assert_eq!(error_code(empty, 422).await, "attachment_empty");
    // A document may be up to 50 MiB; a voice note's MIME type picks its kind.
    let pdf = app
        .request_upload(&alice, chat, "application/pdf", 50 * 1024 * 1024)
        .await;
    assert_eq!(pdf.status(), 201);
    let ogg = app
        .request_upload(&alice, chat, "audio/ogg; codecs=opus", 1000)
        .await;
    let ogg: Value = ogg.json().await.expect("json");
    assert_eq!(ogg["kind"], "voice");
    assert_eq!(ogg["headers"]["Content-Type"], "audio/ogg");
    assert!(app.media.keys().is_empty(), "nothing stored by the API");
}

#[tokio::test]
async fn only_writers_of_the_chat_get_an_upload() {
    let app = TestApp::spawn().await;
    let (alice, dave, eve) = (User::new("Alice"), User::new("Dave"), User::new("Eve"));
    let chat = app.create_group(&alice, &[]).await;
    let add = json!({ "user_id": dave.id, "role": "observer" });
    let path = format!("/api/chats/{chat}/participants");
    let added = app
        .call(Method::POST, &path, Some(&alice.token), Some(add))
        .await;
    assert!(added.status().is_success());

    let stranger = app.request_upload(&eve, chat, "image/png", 10).await;
    assert_eq!(error_code(stranger, 404).await, "chat_not_found");
    let observer = app.request_upload(&dave, chat, "image/png", 10).await;
    assert_eq!(error_code(observer, 403).await, "observer_cannot_write");
}

#[tokio::test]
async fn a_send_takes_only_its_own_whole_upload_and_stores_nothing_otherwise() {
    let app = TestApp::spawn().await;
    let (alice, bob) = (User::new("Alice"), User::new("Bob"));
    let chat = app.create_group(&alice, &[&bob]).await;
    let other_chat = app.create_group(&alice, &[&bob]).await;
    let before = app.stored_versions(chat).await;

    let (missing, _) = app.upload_png(&alice, chat, false).await;
    let incomplete = app.send_upload(&alice, chat, missing, "").await;
    assert_eq!(error_code(incomplete, 422).await, "upload_incomplete");

    let (short, key) = app.upload_png(&alice, chat, false).await;
    app.media
        .put(&key, Bytes::from_static(b"short"), "image/png")
        .await
        .expect("stored");
    let wrong = app.send_upload(&alice, chat, short, "").await;
    assert_eq!(error_code(wrong, 422).await, "upload_size_mismatch");

    let unknown = app.send_upload(&alice, chat, Uuid::new_v4(), "").await;
    assert_eq!(error_code(unknown, 422).await, "upload_not_found");

    let (alices, _) = app.upload_png(&alice, chat, true).await;
    let by_bob = app.send_upload(&bob, chat, alices, "").await;
    assert_eq!(error_code(by_bob, 403).await, "upload_not_yours");
    let elsewhere = app.send_upload(&alice, other_chat, alices, "").await;
    assert_eq!(error_code(elsewhere, 403).await, "upload_not_yours");

    let (late, _) = app.upload_png(&alice, chat, true).await;
    sqlx::query("UPDATE attachment_uploads SET expires_at = now() WHERE upload_id = $1")
        .bind(late)
        .execute(&app.db.pool)
        .await
        .expect("expire");
    let expired = app.send_upload(&alice, chat, late, "").await;
    assert_eq!(error_code(expired, 422).await, "upload_expired");
    assert_eq!(app.stored_versions(chat).await, before, "nothing stored");

    assert_eq!(
        app.send_upload(&alice, chat, alices, "").await.status(),
        201
    );
    let again = app.send_upload(&alice, chat, alices, "again").await;
    assert_eq!(error_code(again, 422).await, "upload_already_used");
}

#[tokio::test]
async fn a_retry_with_the_same_key_answers_with_the_original_message() {
    let app = TestApp::spawn().await;
    let alice = User::new("Alice");
    let chat = app.create_group(&alice, &[]).await;
    let (upload, _) = app.upload_png(&alice, chat, true).await;
    let body =
        json!({ "content": "", "client_message_id": "k1", "attachment": { "upload_id": upload } });
    let path = format!("/api/chats/{chat}/messages");
    let first = app
        .call(Method::POST, &path, Some(&alice.token), Some(body.clone()))
        .await;
    assert_eq!(first.status(), 201);
    let retry = app
        .call(Method::POST, &path, Some(&alice.token), Some(body))
        .await;
    assert_eq!(retry.status(), 200);
    let retry: Value = retry.json().await.expect("json");
    assert_eq!(retry["replayed"], true);
}

#[tokio::test]
async fn a_store_outage_fails_media_sends_only() {
    let app = TestApp::spawn().await;
    let alice = User::new("Alice");
    let chat = app.create_group(&alice, &[]).await;
    let (upload, _) = app.upload_png(&alice, chat, true).await;
    app.media.set_available(false);
    let media = app.send_upload(&alice, chat, upload, "").await;
    assert_eq!(error_code(media, 503).await, "unavailable");
    assert_eq!(
        app.send(&alice, chat, "text still works").await.status(),
        201
    );
    app.media.set_available(true);
    assert_eq!(
        app.send_upload(&alice, chat, upload, "").await.status(),
        201
    );
}
