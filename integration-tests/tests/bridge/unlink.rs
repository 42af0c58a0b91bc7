//! Unlinking stops the mirroring both ways.

use crate::helpers::{TestEnv, User, eventually};

const BOB: (i64, &str) = (4242, "Bob");

#[tokio::test(flavor = "multi_thread")]
async fn unlinking_stops_the_mirroring_in_both_directions() {
    let env = TestEnv::spawn().await;
    let alice = User::new("Alice");
    let (chat, group) = env.linked_chat(&alice, &[]).await;
    env.send(&alice, chat, "while linked", None).await;
    env.wait_in_telegram(group, "Alice: while linked").await;

    env.unlink(&alice, chat).await;
    env.send(&alice, chat, "after unlink", None).await;
    let ignored = env
        .telegram
        .post_as_user(group, BOB, "nobody hears this", None)
        .expect("posted");
    // Telegram's update has been handled (and confirmed) by the bridge.
    eventually("the bridge to handle the update", || async {
        (env.telegram.pending_updates() == 0).then_some(())
    })
    .await;

    // Link again: what comes after the link is mirrored, and since each side is handled
    // in order, anything from the unlinked period would have arrived before it.
    env.link(&alice, chat, group).await;
    env.send(&alice, chat, "linked again", None).await;
    env.wait_in_telegram(group, "Alice: linked again").await;
    let heard = env
        .telegram
        .post_as_user(group, BOB, "hello again", None)
        .expect("posted");
    env.wait_received(chat, heard).await;

    assert_eq!(
        env.bridge_texts(group),
        ["Alice: while linked", "Alice: linked again"]
    );
    assert!(env.received(chat, ignored).await.is_empty());
}
