//! End to end with every service a real process and the real object store (SeaweedFS
//! from deploy/local, named by `S3_*`): Alice uploads an image through the pre-signed
//! URL and sends it; Bob gets it over WebSocket and in history and downloads the same
//! bytes; a stranger never gets a download URL.

use std::time::Duration;

use chat_test_kit::client::{Api, Socket, User, http_client};
use chat_test_kit::required_env;
use chat_test_kit::system::System;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(20);

/// A small PNG-looking file, different in every run (so equal bytes prove the download).
fn image() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend_from_slice(Uuid::new_v4().as_bytes());
    bytes.extend((0..64 * 1024).map(|i| (i % 251) as u8));
    bytes
}

/// The bytes at a pre-signed GET `url`.
async fn download(url: &str) -> Vec<u8> {
    let response = http_client().get(url).send().await.expect("GET the file");
    assert_eq!(response.status(), 200, "download {url}");
    response.bytes().await.expect("bytes").to_vec()
}

/// The next `message_sent` frame of `chat` on `socket`.
async fn message_frame(socket: &mut Socket, chat: Uuid) -> Value {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let frame = socket.next_within(left).await.expect("a frame in time");
        if frame["t"] == "message_sent" && frame["p"]["chat_id"] == json!(chat) {
            return frame;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_image_goes_from_alice_through_the_object_store_to_bob() {
    let _ = required_env("S3_ENDPOINT");
    let system = System::start().await;
    let api = Api::new(system.api());
    let (alice, bob, eve) = (User::new("Alice"), User::new("Bob"), User::new("Eve"));
    let chat = api.create_group(&alice, &[&bob]).await;
    let mut bob_socket = Socket::connect(&system.ws("wse-gateway"), &bob, "").await;
    let bytes = image();

    let attachments = format!("/api/chats/{chat}/attachments");
    let request = json!({ "name": "cat.png", "size": bytes.len(), "mime_type": "image/png" });
    let ticket = api
        .expect(
            201,
            &alice,
            Method::POST,
            &attachments,
            Some(request.clone()),
        )
        .await;
    let upload_url = ticket["upload_url"].as_str().expect("upload_url");
    // Before the PUT, the send is refused and stores nothing.
    let messages = format!("/api/chats/{chat}/messages");
    let send = json!({
        "content": "",
        "attachment": { "upload_id": ticket["upload_id"], "width": 16, "height": 16 },
    });
    let (status, early) = api
        .call(&alice, Method::POST, &messages, Some(send.clone()))
        .await;
    assert_eq!(
        (status, early["error"]["code"].as_str()),
        (422, Some("upload_incomplete"))
    );

    let put = http_client()
        .put(upload_url)
        .header("Content-Type", "image/png")
        .body(bytes.clone())
        .send()
        .await
        .expect("PUT to the store");
    assert!(put.status().is_success(), "PUT answered {}", put.status());
    let sent = api
        .expect(201, &alice, Method::POST, &messages, Some(send))
        .await;
    let message_id = sent["message_id"].as_str().expect("message_id").to_owned();

    // Over WebSocket: the file's facts and a URL that serves the same bytes.
    let frame = message_frame(&mut bob_socket, chat).await;
    let attachment = &frame["p"]["attachment"];
    assert_eq!(frame["p"]["message_type"], "image");
    assert_eq!(attachment["name"], "cat.png");
    assert_eq!(attachment["size"], bytes.len());
    let ws_url = attachment["url"]
        .as_str()
        .expect("a download URL in the frame");
    assert_eq!(download(ws_url).await, bytes);

    // In history and the single-message route, the same.
    let history = api.history(&bob, chat).await;
    let listed = history
        .iter()
        .find(|m| m["id"] == json!(message_id))
        .expect("the message in history");
    let url = listed["attachment"]["url"]
        .as_str()
        .expect("a download URL in history");
    assert_eq!(download(url).await, bytes);
    let one = api
        .expect(
            200,
            &bob,
            Method::GET,
            &format!("{messages}/{message_id}"),
            None,
        )
        .await;
    let url = one["attachment"]["url"].as_str().expect("a download URL");
    assert_eq!(download(url).await, bytes);

    // A stranger gets no upload and no URL: the chat does not exist for them.
    for (method, path, body) in [
        (Method::GET, messages.clone(), None),
        (Method::GET, format!("{messages}/{message_id}"), None),
        (Method::POST, attachments.clone(), Some(request)),
    ] {
        let (status, answer) = api.call(&eve, method, &path, body).await;
        assert_eq!(
            (status, answer["error"]["code"].as_str()),
            (404, Some("chat_not_found"))
        );
        assert!(!answer.to_string().contains("X-Amz-Signature"), "{answer}");
    }
}
