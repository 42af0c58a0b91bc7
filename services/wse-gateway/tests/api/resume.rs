//! Reconnecting with the last version seen replays exactly what was missed, in order;
//! a gap beyond the replay buffer is answered with `resync`.

use chat_domain::testing::fixtures::create_group;
use serde_json::json;

use crate::helpers::{Script, Stage, event_of, new_user};

#[tokio::test]
async fn a_client_that_resumes_gets_exactly_what_it_missed_or_a_resync() {
    let stage = Stage::new(3).await;
    let gateway = stage.gateway(&["--replay-buffer=64"]).await;
    let (ann, bob) = (new_user(), new_user());
    let mut chat = Script::new();
    chat.decide(create_group(ann, chat.id, &[bob]));
    stage.member(chat.id, ann, 2).await;
    stage.member(chat.id, bob, 3).await;
    // Bob stays connected: when he has seen an event, the gateway has routed it.
    let mut bob_ws = gateway.connect(bob, "").await;

    let mut ws = gateway.connect(ann, "").await;
    for _ in 0..3 {
        stage.produce(&chat.send(ann)).await;
    }
    let seen = chat.version();
    ws.events_until(chat.id, seen).await;
    drop(ws);

    for _ in 0..50 {
        stage.produce(&chat.send(bob)).await;
    }
    let missed_until = chat.version();
    bob_ws.events_until(chat.id, missed_until).await;

    let mut ws = gateway
        .connect(ann, &format!("resume={}:{seen}", chat.id))
        .await;
    let mut replayed = Vec::new();
    for _ in 0..50 {
        let frame = ws.frame().await;
        replayed.push(event_of(&frame).expect("an event").1);
    }
    assert_eq!(replayed, ((seen + 1)..=missed_until).collect::<Vec<_>>());
    // Exactly those: the next frame is the next live event, with no duplicate between.
    stage.produce(&chat.send(ann)).await;
    assert_eq!(event_of(&ws.frame().await), Some((chat.id, chat.version())));

    // The same through a `resume` frame.
    let mut by_frame = gateway.connect(ann, "").await;
    let from = chat.version() - 5;
    by_frame
        .send_text(&json!({"t": "resume", "chats": {chat.id.to_string(): from}}).to_string())
        .await;
    let mut replayed = Vec::new();
    for _ in 0..5 {
        replayed.push(event_of(&by_frame.frame().await).expect("an event").1);
    }
    assert_eq!(replayed, ((from + 1)..=chat.version()).collect::<Vec<_>>());

    // A gap longer than the buffer (64): resync, then live events as usual.
    let old = chat.version();
    for _ in 0..70 {
        stage.produce(&chat.send(ann)).await;
    }
    let until = chat.version();
    ws.events_until(chat.id, until).await;
    let mut late = gateway
        .connect(ann, &format!("resume={}:{old}", chat.id))
        .await;
    let frame = late.frame().await;
    assert_eq!(frame["t"], "resync", "{frame}");
    assert_eq!(frame["p"]["chat_id"], chat.id.to_string());
    stage.produce(&chat.send(ann)).await;
    assert_eq!(
        event_of(&late.frame().await),
        Some((chat.id, chat.version()))
    );
}

#[tokio::test]
async fn a_resume_frame_behind_what_this_connection_already_got_asks_for_a_resync() {
    let stage = Stage::new(1).await;
    let gateway = stage.gateway(&[]).await;
    let ann = new_user();
    let mut chat = Script::new();
    chat.decide(create_group(ann, chat.id, &[]));
    stage.member(chat.id, ann, 2).await;
    let mut ws = gateway.connect(ann, "").await;
    stage.produce(&chat.send(ann)).await;
    stage.produce(&chat.send(ann)).await;
    ws.events_until(chat.id, chat.version()).await;

    // Replaying version 3 now would come after version 4: refetch instead.
    let resume = |seen: u64| json!({"t": "resume", "chats": {chat.id.to_string(): seen}});
    ws.send_text(&resume(2).to_string()).await;
    let frame = ws.frame().await;
    assert_eq!(frame["t"], "resync", "{frame}");
    // Up to date: nothing to replay, and nothing is sent twice.
    ws.send_text(&resume(chat.version()).to_string()).await;
    stage.produce(&chat.send(ann)).await;
    assert_eq!(event_of(&ws.frame().await), Some((chat.id, chat.version())));
}

#[tokio::test]
async fn a_replica_behind_the_client_answers_the_resume_once_it_has_caught_up() {
    let stage = Stage::new(1).await;
    let patient = stage.gateway(&["--resume-wait-ms=30000"]).await;
    let hasty = stage.gateway(&["--resume-wait-ms=200"]).await;
    let ann = new_user();
    let mut chat = Script::new();
    let created = chat.decide(create_group(ann, chat.id, &[]));
    stage.member(chat.id, ann, 2).await;

    // Ann saw versions up to 4 on a replica ahead of this one, which has routed nothing
    // of the chat yet.
    let seen = 4;
    let mut ws = patient
        .connect(ann, &format!("resume={}:{seen}", chat.id))
        .await;
    // Let the resume find this replica behind before it catches up.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    stage.produce(&created).await;
    for _ in 0..5 {
        stage.produce(&chat.send(ann)).await;
    }
    let mut got = Vec::new();
    while got.last() != Some(&chat.version()) {
        let frame = ws.frame().await;
        got.push(
            event_of(&frame)
                .unwrap_or_else(|| panic!("an event: {frame}"))
                .1,
        );
    }
    assert_eq!(got, ((seen + 1)..=chat.version()).collect::<Vec<_>>());

    // A version this replica has not routed within its wait: resync, then only the
    // live events after the version the client saw.
    let ahead = chat.version() + 1;
    let mut late = hasty
        .connect(ann, &format!("resume={}:{ahead}", chat.id))
        .await;
    let frame = late.frame().await;
    assert_eq!(frame["t"], "resync", "{frame}");
    stage.produce(&chat.send(ann)).await;
    stage.produce(&chat.send(ann)).await;
    assert_eq!(
        event_of(&late.frame().await),
        Some((chat.id, ahead + 1)),
        "only what follows the version the client saw"
    );
}
