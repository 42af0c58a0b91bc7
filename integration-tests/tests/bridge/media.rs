//! Media both ways (issue 15): a Telegram photo becomes an image message whose object
//! holds the photo's bytes, a chat file becomes a Telegram document with its caption,
//! and what the chat cannot keep (a sticker) arrives as a placeholder saying what it was.

use reqwest::Method;
use serde_json::{Value, json};
use telegram_bridge::adapters::fake::UserFile;
use telegram_bridge::media::{FileKind, TelegramMedia};
use telegram_bridge::metrics::MEDIA;
use uuid::Uuid;

use crate::helpers::{TestEnv, User, eventually};

const BOB: (i64, &str) = (4242, "Bob");

/// A JPEG's first bytes and some more: what matters is that they come back equal.
const PHOTO: &[u8] = b"\xFF\xD8\xFF\xE0 a photo from Telegram";

/// The chat message Telegram message `telegram_id` became, as `user` reads it in history
/// (once the read side has it).
async fn in_history(env: &TestEnv, user: &User, chat: Uuid, telegram_id: i64) -> Value {
    let message_id = env.wait_received(chat, telegram_id).await.to_string();
    eventually("the message in history", || async {
        env.history(user, chat)
            .await
            .into_iter()
            .find(|m| m["id"] == message_id.as_str())
    })
    .await
}

/// `user` sends `bytes` as a file message named `name` with `caption`, through an upload
/// whose object is written straight into the store (as the client's PUT would).
async fn send_file(
    env: &TestEnv,
    user: &User,
    chat: Uuid,
    (name, mime_type, bytes): (&str, &str, &[u8]),
    caption: &str,
) {
    let body = json!({ "name": name, "size": bytes.len(), "mime_type": mime_type, "kind": "file" });
    let path = format!("/api/chats/{chat}/attachments");
    let (status, upload) = env
        .try_call(Method::POST, &path, &user.token, Some(body))
        .await;
    assert!(status.is_success(), "upload: {status} {upload}");
    let upload_id = upload["upload_id"].as_str().expect("upload_id");
    let key = format!("chats/{chat}/{upload_id}");
    env.media
        .put(&key, bytes.to_vec().into(), mime_type)
        .await
        .expect("stored");
    let body = json!({ "content": caption, "attachment": { "upload_id": upload_id } });
    let path = format!("/api/chats/{chat}/messages");
    let (status, sent) = env
        .try_call(Method::POST, &path, &user.token, Some(body))
        .await;
    assert!(status.is_success(), "send: {status} {sent}");
}

/// Waits until the bridge's file counter `[direction, outcome]` passed `before`. The
/// bridge counts a file once it has recorded the message's id mapping, a moment after
/// the message became visible (under load the count came after the test's first look).
async fn counted_past(labels: [&str; 2], before: u64) {
    eventually("the file counted", || async {
        (MEDIA.with_label_values(&labels).get() > before).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_photo_without_caption_arrives_as_an_image_with_the_same_bytes() {
    // The real object store: the bytes make the whole way through S3.
    let env = TestEnv::spawn_on_object_store().await;
    let alice = User::new("Alice");
    let (chat, group) = env.linked_chat(&alice, &[]).await;

    let copied = MEDIA.with_label_values(&["inbound", "copied"]).get();
    let photo = UserFile::new(FileKind::Photo, "image/jpeg", PHOTO.to_vec());
    let id = env
        .telegram
        .post_file_as_user(group, BOB, photo, "", None)
        .expect("posted");

    let message = in_history(&env, &alice, chat, id).await;
    assert_eq!(message["message_type"], "image", "{message}");
    assert_eq!(message["content"], "");
    assert_eq!(message["sender_name"], "Bob");
    let received = env.received(chat, id).await;
    let attachment = &received[0]["attachment"];
    assert_eq!(attachment["mime_type"], "image/jpeg");
    assert_eq!(attachment["size"], PHOTO.len());
    let key = attachment["key"].as_str().expect("an object key");
    assert!(key.starts_with(&format!("chats/{chat}/")), "{key}");
    let stored = env.media.get(key).await.expect("the object");
    assert_eq!(&stored[..], PHOTO);
    counted_past(["inbound", "copied"], copied).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_telegram_file_the_chat_refuses_arrives_as_a_placeholder_with_its_caption() {
    let env = TestEnv::spawn().await;
    let alice = User::new("Alice");
    let (chat, group) = env.linked_chat(&alice, &[]).await;
    let placeholders = MEDIA.with_label_values(&["inbound", "placeholder"]).get();

    let program = UserFile::new(FileKind::Document, "application/x-msdownload", vec![0; 64])
        .named("setup.exe");
    let id = env
        .telegram
        .post_file_as_user(group, BOB, program, "run me", None)
        .expect("posted");

    let message = in_history(&env, &alice, chat, id).await;
    assert_eq!(message["message_type"], "text");
    let content = message["content"].as_str().expect("a text");
    assert!(
        content.starts_with("[file setup.exe] (not copied: application/x-msdownload"),
        "{content}"
    );
    assert!(content.ends_with("\nrun me"), "{content}");
    counted_past(["inbound", "placeholder"], placeholders).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_chat_file_appears_in_the_group_as_a_document_with_its_caption() {
    let env = TestEnv::spawn().await;
    let alice = User::new("Alice");
    let (chat, group) = env.linked_chat(&alice, &[]).await;

    let copied = MEDIA.with_label_values(&["outbound", "copied"]).get();
    let file = ("report.pdf", "application/pdf", &b"%PDF-1.7 the report"[..]);
    send_file(&env, &alice, chat, file, "the Q3 report").await;

    let id = env.wait_in_telegram(group, "Alice: the Q3 report").await;
    let posted = env
        .telegram
        .messages(group.chat_id)
        .into_iter()
        .find(|m| m.id == id)
        .expect("posted");
    let Some(TelegramMedia::File(document)) = posted.media else {
        panic!("a file: {:?}", posted.media);
    };
    assert_eq!(document.kind, FileKind::Document);
    assert_eq!(document.name.as_deref(), Some("report.pdf"));
    assert_eq!(document.mime_type, "application/pdf");
    assert_eq!(
        env.telegram.file(group.chat_id, id).as_deref(),
        Some(&b"%PDF-1.7 the report"[..])
    );
    counted_past(["outbound", "copied"], copied).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sticker_arrives_as_a_placeholder_that_says_what_it_was() {
    let env = TestEnv::spawn().await;
    let alice = User::new("Alice");
    let (chat, group) = env.linked_chat(&alice, &[]).await;

    let sticker = TelegramMedia::Sticker {
        emoji: Some("😀".into()),
    };
    let id = env
        .telegram
        .post_media_as_user(group, BOB, sticker)
        .expect("posted");
    let location = TelegramMedia::Location {
        latitude: 55.7512,
        longitude: 37.6184,
    };
    let moved = env
        .telegram
        .post_media_as_user(group, BOB, location)
        .expect("posted");

    let message = in_history(&env, &alice, chat, id).await;
    assert_eq!(message["message_type"], "text");
    assert_eq!(message["content"], "[sticker 😀]");
    let message = in_history(&env, &alice, chat, moved).await;
    assert_eq!(message["content"], "[location 55.75, 37.62]");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_caption_edited_in_the_chat_changes_in_telegram_even_past_the_caption_limit() {
    let env = TestEnv::spawn().await;
    let alice = User::new("Alice");
    let (chat, group) = env.linked_chat(&alice, &[]).await;
    let file = ("notes.txt", "text/plain", &b"notes"[..]);
    send_file(&env, &alice, chat, file, "first").await;
    let id = env.wait_in_telegram(group, "Alice: first").await;
    let message_id = env
        .events(chat, "message_sent")
        .await
        .last()
        .and_then(|e| e["message_id"].as_str().map(str::to_owned))
        .expect("the message")
        .parse()
        .expect("uuid");

    // Over 1,024: the caption keeps what fits, the rest follows as a text.
    let long = format!("{} end", "word ".repeat(300));
    env.edit(&alice, chat, message_id, &long).await;

    eventually("the caption edited and the rest posted", || async {
        let texts = env.bridge_texts(group);
        let joined: String = texts
            .iter()
            .map(|t| t.strip_prefix("Alice: ").unwrap_or(t))
            .collect();
        (texts.len() == 2 && joined == long).then_some(())
    })
    .await;
    let caption = &env.telegram.messages(group.chat_id)[0];
    assert_eq!(caption.id, id);
    assert!(caption.text.encode_utf16().count() <= 1_024);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_telegram_voice_notes_replies_caption_edits_and_delete_follow() {
    let env = TestEnv::spawn().await;
    let alice = User::new("Alice");
    let (chat, group) = env.linked_chat(&alice, &[]).await;
    let mut voice = UserFile::new(FileKind::Voice, "audio/ogg", b"OggS a voice note".to_vec());
    voice.duration_secs = Some(3);

    let id = env
        .telegram
        .post_file_as_user(group, BOB, voice, "listen", None)
        .expect("posted");
    let message = in_history(&env, &alice, chat, id).await;
    assert_eq!(message["message_type"], "voice");
    assert_eq!(message["content"], "listen");
    assert_eq!(message["attachment"]["duration_secs"], 3);
    assert_eq!(message["attachment"]["name"], format!("voice-{id}.ogg"));

    let reply = env
        .telegram
        .post_as_user(group, BOB, "did you hear it?", Some(id))
        .expect("posted");
    let answer = in_history(&env, &alice, chat, reply).await;
    assert_eq!(answer["reply_to"], message["id"]);

    env.telegram
        .edit_as_user(group.chat_id, id, "listen again")
        .expect("edited");
    eventually("the caption edited in the chat", || async {
        env.history(&alice, chat)
            .await
            .into_iter()
            .find(|m| m["id"] == message["id"] && m["content"] == "listen again")
            .map(drop)
    })
    .await;

    assert!(env.telegram.delete_as_user(group.chat_id, id));
    eventually("the voice note deleted in the chat", || async {
        env.history(&alice, chat)
            .await
            .into_iter()
            .find(|m| m["id"] == message["id"] && m["is_deleted"] == true)
            .map(drop)
    })
    .await;
}

/// The real MTProto adapter both ways: a user's document downloaded from its location,
/// a chat file uploaded and sent with `messages.sendMedia`.
#[tokio::test(flavor = "multi_thread")]
async fn on_the_mtproto_double_files_cross_both_ways() {
    let env = TestEnv::spawn_on_double().await;
    let alice = User::new("Alice");
    let (chat, group) = env.linked_chat(&alice, &[]).await;
    let double = &env.double.as_ref().expect("on the double").telegram;

    let document = (
        "report.pdf",
        "application/pdf",
        &b"%PDF-1.7 from Telegram"[..],
    );
    let id = double.post_document_as_user(group.chat_id, BOB, document, "the report");
    let message = in_history(&env, &alice, chat, id).await;
    assert_eq!(message["message_type"], "file", "{message}");
    assert_eq!(message["content"], "the report");
    assert_eq!(message["attachment"]["name"], "report.pdf");
    let received = env.received(chat, id).await;
    let key = received[0]["attachment"]["key"].as_str().expect("a key");
    let stored = env.media.get(key).await.expect("the object");
    assert_eq!(&stored[..], document.2);

    let notes = ("notes.txt", "text/plain", &b"notes"[..]);
    send_file(&env, &alice, chat, notes, "my notes").await;
    env.wait_in_telegram(group, "Alice: my notes").await;
}
