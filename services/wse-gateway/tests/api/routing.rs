//! Each user sees exactly the events of their chats, from joining to leaving.

use crate::helpers::{Script, Stage, new_user, versions};

#[tokio::test]
async fn two_users_three_chats_each_see_exactly_their_chats_from_join_to_removal() {
    // One partition: the last event produced is the last routed, so it ends the story.
    let stage = Stage::new(1).await;
    let gateway = stage.gateway(&[]).await;
    let (ann, bob) = (new_user(), new_user());
    let (mut one, mut two, mut three) = (Script::new(), Script::new(), Script::new());
    // Before the gateway reads anything: ann in one and two, bob in two and three.
    one.decide(chat_domain::testing::fixtures::create_group(
        ann,
        one.id,
        &[],
    ));
    two.decide(chat_domain::testing::fixtures::create_group(
        ann,
        two.id,
        &[bob],
    ));
    three.decide(chat_domain::testing::fixtures::create_group(
        bob,
        three.id,
        &[],
    ));
    stage.member(one.id, ann, 2).await;
    stage.member(two.id, ann, 2).await;
    stage.member(two.id, bob, 3).await;
    stage.member(three.id, bob, 2).await;
    let mut ann_ws = gateway.connect(ann, "").await;
    let mut bob_ws = gateway.connect(bob, "").await;

    stage.produce(&one.send(ann)).await; // one v3
    stage.produce(&two.send(bob)).await; // two v4
    stage.produce(&three.send(bob)).await; // three v3
    stage.produce(&one.add(ann, bob)).await; // one v4: bob joins
    stage.produce(&one.send(ann)).await; // one v5
    stage.produce(&two.remove(ann, bob)).await; // two v5: bob removed
    stage.produce(&two.send(ann)).await; // two v6
    stage.produce(&three.send(bob)).await; // three v4
    stage.produce(&one.send(bob)).await; // one v6: the last event
    let last = one.version();

    let ann_saw = ann_ws.events_until(one.id, last).await;
    assert_eq!(versions(&ann_saw, one.id), vec![3, 4, 5, 6]);
    assert_eq!(versions(&ann_saw, two.id), vec![4, 5, 6]);
    assert_eq!(versions(&ann_saw, three.id), Vec::<u64>::new());

    let bob_saw = bob_ws.events_until(one.id, last).await;
    assert_eq!(
        versions(&bob_saw, one.id),
        vec![4, 5, 6],
        "from the event adding him"
    );
    assert_eq!(
        versions(&bob_saw, two.id),
        vec![4, 5],
        "up to his own removal"
    );
    assert_eq!(versions(&bob_saw, three.id), vec![3, 4]);
}
