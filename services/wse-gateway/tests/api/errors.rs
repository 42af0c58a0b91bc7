//! Refused tokens close with 4401, malformed frames get error frames, limits and
//! shutdown close with codes that say what to do; the gateway keeps serving others.

use chat_domain::testing::fixtures::create_group;
use chat_test_kit::tokens::{TEST_SECRET, expired_token, service_token, sign};
use futures_util::SinkExt;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::{Script, Stage, event_of, new_user};

#[tokio::test]
async fn refused_tokens_close_with_4401_and_a_reason() {
    let stage = Stage::new(1).await;
    let gateway = stage.gateway(&[]).await;
    let user = new_user();
    let forged = sign(
        &json!({"sub": user.as_uuid(), "exp": 4_000_000_000_u64}),
        &format!("{TEST_SECRET}-not"),
    );
    let cases = [
        ("token=garbage".to_owned(), "invalid"),
        (format!("token={forged}"), "invalid"),
        (
            format!("token={}", expired_token(user.as_uuid())),
            "expired",
        ),
        ("".to_owned(), "missing"),
        (
            format!("token={}", service_token("telegram-bridge")),
            "service",
        ),
    ];
    for (query, why) in cases {
        let mut ws = gateway.connect_url(&gateway.url(&query)).await;
        let (code, reason) = ws.closed().await.expect("a close frame");
        assert_eq!(code, 4401, "{query}: {reason}");
        assert!(reason.contains(why), "{query}: {reason}");
    }
    // A bearer header works like the query parameter.
    let mut chat = Script::new();
    chat.decide(create_group(user, chat.id, &[]));
    stage.member(chat.id, user, 2).await;
    let mut request =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
            gateway.url(""),
        )
        .expect("request");
    let token = chat_test_kit::tokens::user_token(user.as_uuid(), "Ann");
    request.headers_mut().insert(
        "Authorization",
        format!("Bearer {token}").parse().expect("header"),
    );
    let (ws, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("upgrade");
    let mut ws = crate::helpers::Client { ws };
    stage.produce(&chat.send(user)).await;
    assert_eq!(event_of(&ws.frame().await), Some((chat.id, chat.version())));
}

#[tokio::test]
async fn malformed_frames_get_error_frames_and_the_connection_stays() {
    let stage = Stage::new(1).await;
    let gateway = stage.gateway(&[]).await;
    let (ann, bob) = (new_user(), new_user());
    let mut chat = Script::new();
    chat.decide(create_group(ann, chat.id, &[bob]));
    stage.member(chat.id, ann, 2).await;
    stage.member(chat.id, bob, 3).await;
    let mut ann_ws = gateway.connect(ann, "").await;
    let mut bob_ws = gateway.connect(bob, "").await;

    let stranger = Script::new().id;
    let cases = [
        ("not json".to_owned(), "malformed_frame"),
        (r#"{"t":"dance"}"#.to_owned(), "malformed_frame"),
        (
            r#"{"t":"typing","chat_id":"nope"}"#.to_owned(),
            "malformed_frame",
        ),
        (
            format!(r#"{{"t":"typing","chat_id":"{stranger}"}}"#),
            "not_a_participant",
        ),
        (
            format!(r#"{{"t":"resume","chats":{{"{stranger}":1}}}}"#),
            "not_a_participant",
        ),
    ];
    for (text, code) in cases {
        ann_ws.send_text(&text).await;
        let frame = ann_ws.frame().await;
        assert_eq!(frame["t"], "error", "{text}: {frame}");
        assert_eq!(frame["p"]["code"], code, "{text}: {frame}");
        assert!(frame["p"]["message"].is_string());
    }
    ann_ws
        .ws
        .send(Message::Binary(vec![1, 2, 3].into()))
        .await
        .expect("send");
    assert_eq!(ann_ws.frame().await["p"]["code"], "unsupported_frame");
    let bad_resume = gateway.connect(ann, "resume=zzz").await;
    let mut bad_resume = bad_resume;
    assert_eq!(bad_resume.frame().await["p"]["code"], "bad_resume");

    // Both connections, and the others, still get events.
    stage.produce(&chat.send(bob)).await;
    for ws in [&mut ann_ws, &mut bob_ws, &mut bad_resume] {
        assert_eq!(event_of(&ws.frame().await), Some((chat.id, chat.version())));
    }
}

#[tokio::test]
async fn over_the_limit_answers_503_and_shutdown_closes_with_1012() {
    let stage = Stage::new(1).await;
    // The gateway's own probe connection is closed by the time it is live.
    let gateway = stage.gateway(&["--max-connections=2"]).await;
    let user = new_user();
    let _first = gateway.connect(user, "").await;
    let mut second = gateway.connect(user, "").await;
    // Wait until the probe's permit is back: the third connection is the one refused.
    let deadline = tokio::time::Instant::now() + crate::helpers::PATIENCE;
    while gateway.hub.stats().connections() > 2 {
        assert!(tokio::time::Instant::now() < deadline);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let refused = tokio_tungstenite::connect_async(gateway.url("token=x")).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 503);
        }
        other => panic!("expected 503, got {other:?}"),
    }

    gateway.shutdown.cancel();
    let (code, reason) = second.closed().await.expect("a close frame");
    assert_eq!(code, 1012, "{reason}");
    assert!(reason.contains("resume"), "{reason}");
}

#[tokio::test]
async fn a_silent_client_is_closed_with_4408_after_the_idle_timeout() {
    let stage = Stage::new(1).await;
    let gateway = stage
        .gateway(&["--heartbeat-ms=100", "--idle-timeout-ms=300"])
        .await;
    // Not reading means not answering pings either.
    let mut silent = gateway.connect(new_user(), "").await;
    let deadline = tokio::time::Instant::now() + crate::helpers::PATIENCE;
    while gateway.hub.stats().connections() > 0 {
        assert!(tokio::time::Instant::now() < deadline, "never closed");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (code, reason) = silent.closed().await.expect("a close frame");
    assert_eq!(code, 4408, "{reason}");
}

#[tokio::test]
async fn a_client_close_is_answered_and_the_connection_forgotten() {
    let stage = Stage::new(1).await;
    let gateway = stage.gateway(&[]).await;
    let mut ws = gateway.connect(new_user(), "").await;
    ws.ws.close(None).await.expect("close");
    assert_eq!(ws.next().await, crate::helpers::Incoming::Closed(None));
    let deadline = tokio::time::Instant::now() + crate::helpers::PATIENCE;
    while gateway.hub.stats().connections() > 0 {
        assert!(tokio::time::Instant::now() < deadline, "never forgotten");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// The status line of a plain HTTP GET.
async fn plain_get(addr: std::net::SocketAddr, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("read");
    response.lines().next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn one_port_serves_the_websocket_and_the_health_endpoints() {
    let stage = Stage::new(1).await;
    let gateway = stage.gateway(&[]).await;
    assert!(plain_get(gateway.addr, "/wse").await.contains(" 400 "));
    assert!(plain_get(gateway.addr, "/healthz").await.contains(" 200 "));
    // Readiness answers from a background round of probes: ready once the first one ends.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !plain_get(gateway.addr, "/readyz").await.contains(" 200 ") {
        assert!(
            tokio::time::Instant::now() < deadline,
            "/readyz never ready"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
