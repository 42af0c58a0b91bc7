//! Every replica reads every event: users on different replicas each get every event
//! of their chats exactly once.

use chat_domain::testing::fixtures::create_group;

use crate::helpers::{Script, Stage, new_user, versions};

#[tokio::test]
async fn users_on_two_replicas_each_get_every_event_once() {
    let stage = Stage::new(3).await;
    let first = stage.gateway(&[]).await;
    let second = stage.gateway(&[]).await;
    let (ann, bob) = (new_user(), new_user());
    let (mut red, mut blue) = (Script::new(), Script::new());
    red.decide(create_group(ann, red.id, &[bob]));
    blue.decide(create_group(bob, blue.id, &[ann]));
    stage.member(red.id, ann, 2).await;
    stage.member(red.id, bob, 3).await;
    stage.member(blue.id, bob, 2).await;
    stage.member(blue.id, ann, 3).await;
    let mut ann_on_first = first.connect(ann, "").await;
    let mut bob_on_second = second.connect(bob, "").await;
    // The same user on both replicas (two tabs): each connection gets everything.
    let mut ann_on_second = second.connect(ann, "").await;

    for n in 0..20 {
        let (chat, who) = if n % 2 == 0 {
            (&mut red, ann)
        } else {
            (&mut blue, bob)
        };
        stage.produce(&chat.send(who)).await;
    }
    let expected_red: Vec<u64> = (4..=red.version()).collect();
    let expected_blue: Vec<u64> = (4..=blue.version()).collect();
    assert_eq!(expected_red.len(), 10);

    for client in [&mut ann_on_first, &mut bob_on_second, &mut ann_on_second] {
        // Partitions interleave freely, so read until both chats are complete.
        let mut seen = Vec::new();
        while versions(&seen, red.id).len() < 10 || versions(&seen, blue.id).len() < 10 {
            let frame = client.frame().await;
            if let Some(event) = crate::helpers::event_of(&frame) {
                seen.push(event);
            }
        }
        assert_eq!(versions(&seen, red.id), expected_red, "in order, once");
        assert_eq!(versions(&seen, blue.id), expected_blue, "in order, once");
    }
    // Nothing was duplicated after the last expected event either: a final event in
    // each chat is the very next thing each client reads.
    stage.produce(&red.send(ann)).await;
    for client in [&mut ann_on_first, &mut bob_on_second, &mut ann_on_second] {
        let frame = client.frame().await;
        assert_eq!(
            crate::helpers::event_of(&frame),
            Some((red.id, red.version()))
        );
    }
}
