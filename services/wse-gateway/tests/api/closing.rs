//! The closing handshake: a client the gateway cuts gets the close frame, even when
//! its own frames (pongs to pings it reads late) reach the gateway after the cut.

use std::time::Duration;

use chat_domain::UserId;
use chat_domain::testing::fixtures::create_group;

use crate::helpers::{Incoming, PATIENCE, Script, Stage, TestGateway, new_user};

#[tokio::test]
async fn a_cut_client_that_answers_pings_late_still_gets_its_close_frame() {
    let stage = Stage::new(1).await;
    let gateway = stage
        .gateway(&[
            "--connection-buffer=4",
            "--heartbeat-ms=20",
            "--idle-timeout-ms=120000",
        ])
        .await;
    let (ann, bob) = (new_user(), new_user());
    let mut chat = Script::new();
    chat.decide(create_group(ann, chat.id, &[bob]));
    stage.member(chat.id, bob, 3).await;

    // Bob's client does not read: pings pile up unanswered in its socket, then frames
    // until the gateway cuts it as too slow.
    let mut slow = gateway.connect_small_buffer(bob).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    flood_until_cut(&stage, &gateway, &mut chat, ann, PATIENCE).await;

    // Reading at last, and slowly, the client answers each ping with a pong long after
    // the gateway stopped serving the connection; the close frame must still come after
    // the frames, not a reset.
    let close = loop {
        tokio::time::sleep(Duration::from_millis(10)).await;
        if let Incoming::Closed(close) = slow.next().await {
            break close;
        }
    };
    let (code, reason) = close.expect("a close frame, not a reset connection");
    assert_eq!(code, 1013, "{reason}");
}

/// `sender` sends large messages to `chat` until `gateway` cuts a client too slow to read
/// them; fails the test after `within`.
pub async fn flood_until_cut(
    stage: &Stage,
    gateway: &TestGateway,
    chat: &mut Script,
    sender: UserId,
    within: Duration,
) {
    let deadline = tokio::time::Instant::now() + within;
    while gateway.hub.stats().slow_disconnects() == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the slow client was never cut"
        );
        for _ in 0..20 {
            stage.produce(&chat.send_long(sender, 8000)).await;
        }
    }
}
