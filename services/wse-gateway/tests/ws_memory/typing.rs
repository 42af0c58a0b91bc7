//! Typing on one gateway over memory: a signal reaches the chat's other participants,
//! not the typist and not an outsider. (Across replicas it is the servers' suite's
//! `typing.rs`: the relay is a Kafka topic.)

use std::time::Duration;

use chat_domain::testing::fixtures::create_group;
use serde_json::json;

use crate::helpers::{Script, Stage, event_of, new_user};

#[tokio::test]
async fn typing_reaches_the_other_participants_only() {
    let stage = Stage::new(1).await;
    let gateway = stage.gateway(&["--typing-interval-ms=50"]).await;
    let (ann, bob, eve) = (new_user(), new_user(), new_user());
    let mut chat = Script::new();
    chat.decide(create_group(ann, chat.id, &[bob]));
    stage.member(chat.id, ann, 2).await;
    stage.member(chat.id, bob, 3).await;
    let mut ann_ws = gateway.connect(ann, "").await;
    let mut bob_ws = gateway.connect(bob, "").await;
    let mut eve_ws = gateway.connect(eve, "").await;

    let typing = json!({"t": "typing", "chat_id": chat.id}).to_string();
    ann_ws.send_text(&typing).await;
    let frame = bob_ws.frame().await;
    assert_eq!(frame["t"], "user_typing", "{frame}");
    assert_eq!(frame["p"]["chat_id"], chat.id.to_string());
    assert_eq!(frame["p"]["user_id"], ann.to_string());

    // An outsider naming the chat signals nobody.
    eve_ws.send_text(&typing).await;
    // Nothing is echoed to the typist, and bob sees no signal of eve: the next frame
    // each reads is the next event.
    stage.produce(&chat.send(bob)).await;
    for ws in [&mut ann_ws, &mut bob_ws] {
        assert_eq!(event_of(&ws.frame().await), Some((chat.id, chat.version())));
    }
    // The outsider got no event either (an error frame at most, never a chat's frame).
    if let Some(crate::helpers::Incoming::Frame(frame)) =
        eve_ws.next_within(Duration::from_millis(200)).await
    {
        assert_eq!(event_of(&frame), None, "{frame}");
    }
}
