//! A Telegram message command-api refuses holds up no other chat: it is counted, logged
//! and passed; characters the text policy refuses are replaced, not a reason to refuse.

use crate::helpers::{TestEnv, User, eventually};

const BOB: (i64, &str) = (4242, "Bob");

/// The sum of `telegram_inbound_refused_total` over the series of `update`.
fn refused(update: &str) -> f64 {
    let label = format!("update=\"{update}\"");
    chat_runtime::metrics::render()
        .lines()
        .filter(|l| l.starts_with("telegram_inbound_refused_total{") && l.contains(&label))
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_message_the_api_refuses_is_counted_and_the_next_chat_goes_on() {
    let env = TestEnv::spawn().await;
    let alice = User::new("Alice");
    let (archived, archived_group) = env.linked_chat(&alice, &[]).await;
    let (open, open_group) = env.linked_chat(&alice, &[]).await;
    env.archive(&alice, archived).await;
    let before = refused("message");

    env.telegram
        .post_as_user(archived_group, BOB, "into an archived chat", None)
        .expect("posted");
    let next = env
        .telegram
        .post_as_user(open_group, BOB, "next", None)
        .expect("posted");
    env.wait_received(open, next).await;

    assert!(
        env.events(archived, "telegram_message_received")
            .await
            .is_empty()
    );
    assert!(refused("message") > before, "the refusal is counted");
    // The refused update was confirmed (before the next one was read): none is left.
    eventually("every update confirmed", || async {
        (env.telegram.pending_updates() == 0).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn control_characters_from_telegram_are_replaced_and_hold_up_nothing() {
    let env = TestEnv::spawn().await;
    let alice = User::new("Alice");
    let (chat, group) = env.linked_chat(&alice, &[]).await;
    let (other, other_group) = env.linked_chat(&alice, &[]).await;

    let odd = env
        .telegram
        .post_as_user(
            group,
            (4343, "Bo\u{7}b"),
            "a\u{0}b\u{1}c\n\td\u{FFFF}",
            None,
        )
        .expect("posted");
    let next = env
        .telegram
        .post_as_user(other_group, BOB, "next", None)
        .expect("posted");
    env.wait_received(other, next).await;

    env.wait_received(chat, odd).await;
    let received = &env.received(chat, odd).await[0];
    assert_eq!(received["content"], "a\u{FFFD}b\u{FFFD}c\n\td\u{FFFD}");
    assert_eq!(received["sender_name"], "Bo\u{FFFD}b");
}
