//! Typing signals reach the chat's other participants, on this replica and the others,
//! and are never stored. (The rate limit itself is tested on the hub.)

use std::time::Duration;

use chat_domain::testing::fixtures::create_group;
use serde_json::{Value, json};

use crate::helpers::{Incoming, PATIENCE, Script, Stage, event_of, new_user};

fn is_typing_of(frame: &Value, chat: &Script, user: chat_domain::UserId) -> bool {
    frame["t"] == "user_typing"
        && frame["p"]["chat_id"] == chat.id.to_string()
        && frame["p"]["user_id"] == user.to_string()
        && frame["p"]["name"] == "Tester"
}

#[tokio::test]
async fn typing_reaches_the_other_participants_on_every_replica() {
    let stage = Stage::new(1).await;
    let extra = ["--typing-interval-ms=50"];
    let first = stage.gateway(&extra).await;
    let second = stage.gateway(&extra).await;
    let (ann, bob, cid) = (new_user(), new_user(), new_user());
    let mut chat = Script::new();
    chat.decide(create_group(ann, chat.id, &[bob, cid]));
    for (user, joined) in [(ann, 2), (bob, 3), (cid, 4)] {
        stage.member(chat.id, user, joined).await;
    }
    let mut ann_ws = first.connect(ann, "").await;
    let mut bob_ws = first.connect(bob, "").await;
    let mut cid_ws = second.connect(cid, "").await;
    let typing = json!({"t": "typing", "chat_id": chat.id}).to_string();

    // On the same replica: at once.
    ann_ws.send_text(&typing).await;
    assert!(is_typing_of(&bob_ws.frame().await, &chat, ann));

    // Across replicas: the other replica's typing consumer starts at the newest offset,
    // so signals are repeated until it reads the topic.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        assert!(tokio::time::Instant::now() < deadline, "never relayed");
        ann_ws.send_text(&typing).await;
        match cid_ws.next_within(Duration::from_millis(300)).await {
            Some(Incoming::Frame(frame)) => {
                assert!(is_typing_of(&frame, &chat, ann), "{frame}");
                break;
            }
            Some(closed) => panic!("{closed:?}"),
            None => {}
        }
    }

    // Nothing is echoed to the typist: the next frame ann reads is the next event.
    stage.produce(&chat.send(bob)).await;
    assert_eq!(
        event_of(&ann_ws.frame().await),
        Some((chat.id, chat.version()))
    );
}
