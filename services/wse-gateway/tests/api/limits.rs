//! Limits: connections per user on a replica, the rate of client frames, the size of a
//! client frame.

use std::time::Duration;

use chat_domain::testing::fixtures::create_group;
use futures_util::SinkExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use crate::helpers::{Incoming, PATIENCE, Script, Stage, new_user};

#[tokio::test]
async fn a_users_connections_are_capped_per_replica_and_others_are_not() {
    let stage = Stage::new(1).await;
    let gateway = stage.gateway(&[]).await;
    let (ann, bob) = (new_user(), new_user());
    let mut open = Vec::new();
    for _ in 0..10 {
        open.push(gateway.connect(ann, "").await);
    }
    let token = chat_test_kit::tokens::user_token(ann.as_uuid(), "Ann");
    match tokio_tungstenite::connect_async(gateway.url(&format!("token={token}"))).await {
        Err(WsError::Http(response)) => {
            assert_eq!(response.status(), 429);
            let retry: u64 = response.headers()["retry-after"]
                .to_str()
                .expect("ASCII")
                .parse()
                .expect("whole seconds");
            assert!(retry >= 1);
            let body: Value =
                serde_json::from_slice(response.body().as_deref().expect("a body")).expect("JSON");
            assert_eq!(body["error"]["code"], "too_many_user_connections", "{body}");
        }
        other => panic!("expected 429, got {other:?}"),
    }
    // Another user is not affected.
    let _bob_ws = gateway.connect(bob, "").await;

    // A closed connection gives its slot back.
    let mut first = open.remove(0);
    first.ws.close(None).await.expect("close");
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the slot never came back"
        );
        let url = gateway.url(&format!("token={token}"));
        if tokio_tungstenite::connect_async(url).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn frames_over_the_rate_are_refused_then_sustained_abuse_closes_with_4429() {
    let stage = Stage::new(1).await;
    let gateway = stage.gateway(&[]).await;
    let (ann, bob) = (new_user(), new_user());
    let mut chat = Script::new();
    chat.decide(create_group(ann, chat.id, &[bob]));
    stage.member(chat.id, ann, 2).await;
    let mut ws = gateway.connect(ann, "").await;
    let typing = json!({"t": "typing", "chat_id": chat.id}).to_string();
    // Far beyond any burst; the socket may close before all are written.
    for _ in 0..300 {
        if ws
            .ws
            .send(Message::Text(typing.clone().into()))
            .await
            .is_err()
        {
            break;
        }
    }
    let mut refused = 0;
    let close = loop {
        match ws.next().await {
            Incoming::Frame(frame) if frame["t"] == "error" => {
                assert_eq!(frame["p"]["code"], "rate_limited", "{frame}");
                refused += 1;
            }
            Incoming::Frame(_) => {}
            Incoming::Closed(close) => break close,
        }
    };
    assert!(
        refused > 0,
        "over the rate, frames are refused with an error frame"
    );
    let (code, reason) = close.expect("a close frame");
    assert_eq!(code, 4429, "{reason}");
    let metrics = reqwest::get(format!("http://{}/metrics", gateway.addr))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("metrics text");
    assert!(metrics.contains("wse_frames_refused_total"), "{metrics}");
    assert!(metrics.contains(r#"wse_limit_closes_total{limit="frame_rate"}"#));
}

#[tokio::test]
async fn an_oversized_client_frame_closes_with_1009() {
    let stage = Stage::new(1).await;
    let gateway = stage.gateway(&[]).await;
    let mut ws = gateway.connect(new_user(), "").await;
    // Over the default 64 KiB.
    ws.send_text(&"x".repeat(100_000)).await;
    let (code, reason) = ws.closed().await.expect("a close frame");
    assert_eq!(code, 1009, "{reason}");
}
