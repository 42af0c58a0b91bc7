//! A restart in the middle of traffic both ways: every message arrives exactly once.

use std::collections::HashSet;

use crate::helpers::{TestEnv, User, eventually};

const COUNT: usize = 200;
const BOB: (i64, &str) = (4242, "Bob");

#[tokio::test(flavor = "multi_thread")]
async fn a_restart_mid_traffic_loses_and_duplicates_nothing() {
    let env = TestEnv::spawn().await;
    let alice = User::new("Alice");
    let (chat, group) = env.linked_chat(&alice, &[]).await;

    let telegram_ids: Vec<i64> = (0..COUNT)
        .map(|i| {
            env.telegram
                .post_as_user(group, BOB, &format!("tg {i}"), None)
                .expect("posted")
        })
        .collect();
    let sending = async {
        for i in 0..COUNT {
            env.send(&alice, chat, &format!("chat {i}"), None).await;
        }
    };
    // Restart (as on SIGTERM) while both directions are busy and messages keep coming.
    let restarting = async {
        eventually("traffic both ways", || async {
            let inbound = env.events(chat, "telegram_message_received").await.len();
            let outbound = env.bridge_texts(group).len();
            (inbound > 0 && outbound >= COUNT / 4).then_some((inbound, outbound))
        })
        .await;
        env.stop_bridge().await;
        let inbound = env.events(chat, "telegram_message_received").await.len();
        let outbound = env.bridge_texts(group).len();
        env.start_bridge().await;
        (inbound, outbound)
    };
    let ((), (inbound_at_stop, outbound_at_stop)) = tokio::join!(sending, restarting);
    eprintln!("stopped after {inbound_at_stop} inbound and {outbound_at_stop} outbound of {COUNT}");
    assert!(outbound_at_stop < COUNT, "the restart came mid-stream");

    // Barriers: each side is handled in order, so once these arrived every replay of
    // what came before has been handled too.
    env.send(&alice, chat, "barrier", None).await;
    env.wait_in_telegram(group, "Alice: barrier").await;
    let barrier = env
        .telegram
        .post_as_user(group, BOB, "barrier", None)
        .expect("posted");
    env.wait_received(chat, barrier).await;

    let expected: Vec<String> = (0..COUNT)
        .map(|i| format!("Alice: chat {i}"))
        .chain(["Alice: barrier".to_owned()])
        .collect();
    assert_eq!(
        env.bridge_texts(group),
        expected,
        "chat -> Telegram, once each, in order"
    );

    let received = env.events(chat, "telegram_message_received").await;
    let ids: Vec<i64> = received
        .iter()
        .map(|p| p["telegram_message_id"].as_i64().expect("id"))
        .collect();
    let distinct: HashSet<i64> = ids.iter().copied().collect();
    assert_eq!(ids.len(), COUNT + 1, "Telegram -> chat, once each");
    assert_eq!(distinct.len(), COUNT + 1);
    assert_eq!(ids[..COUNT], telegram_ids[..], "in Telegram's order");
}

/// A crash (no drain, no commit) in the middle of Telegram traffic: updates in flight are
/// replayed, the aggregate refuses the ones already posted, and the mapping is healed
/// from the `TelegramMessageReceived` events, so edits still find their message.
#[tokio::test(flavor = "multi_thread")]
async fn a_crash_mid_inbound_traffic_posts_each_telegram_message_once() {
    let env = TestEnv::spawn().await;
    let alice = User::new("Alice");
    let (chat, group) = env.linked_chat(&alice, &[]).await;

    let ids: Vec<i64> = (0..COUNT)
        .map(|i| {
            env.telegram
                .post_as_user(group, BOB, &format!("tg {i}"), None)
                .expect("posted")
        })
        .collect();
    eventually("a quarter of the Telegram messages in the chat", || async {
        let received = env.events(chat, "telegram_message_received").await.len();
        (received >= COUNT / 4).then_some(())
    })
    .await;
    env.crash_bridge().await;
    let at_crash = env.events(chat, "telegram_message_received").await.len();
    eprintln!("crashed after {at_crash} of {COUNT} Telegram messages");
    env.start_bridge().await;
    let barrier = env
        .telegram
        .post_as_user(group, BOB, "barrier", None)
        .expect("posted");
    env.wait_received(chat, barrier).await;

    let received = env.events(chat, "telegram_message_received").await;
    let got: Vec<i64> = received
        .iter()
        .map(|p| p["telegram_message_id"].as_i64().expect("id"))
        .collect();
    assert_eq!(got[..COUNT], ids[..], "once each, in order");
    assert_eq!(got.len(), COUNT + 1);

    // Every Telegram message is mapped, so an edit of any of them reaches the chat.
    for id in [ids[0], ids[COUNT / 2], ids[COUNT - 1]] {
        env.telegram
            .edit_as_user(group.chat_id, id, &format!("edited {id}"))
            .expect("edited");
    }
    eventually("the three edits in the chat", || async {
        (env.events(chat, "message_edited").await.len() == 3).then_some(())
    })
    .await;
}

/// Telegram posted the message but its answer never reached the bridge (a dropped
/// connection, or a crash right after the send): the event is retried with the same
/// send key, Telegram refuses the second post, and the group holds the message once.
#[tokio::test(flavor = "multi_thread")]
async fn a_send_whose_answer_was_lost_is_posted_once_and_its_edits_follow() {
    lost_answer(TestEnv::spawn().await).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn on_the_mtproto_double_a_send_whose_answer_was_lost_is_found_again() {
    lost_answer(TestEnv::spawn_on_double().await).await;
}

/// The first send's answer is lost: the retry answers "already sent", and the copy is
/// found by its text, so a later edit reaches it.
async fn lost_answer(env: TestEnv) {
    let alice = User::new("Alice");
    let (chat, group) = env.linked_chat(&alice, &[]).await;
    env.lose_send_answers(1);

    let lost = env.send(&alice, chat, "lost answer", None).await;
    env.send(&alice, chat, "next", None).await;
    env.wait_in_telegram(group, "Alice: next").await;
    assert_eq!(
        env.bridge_texts(group),
        ["Alice: lost answer", "Alice: next"]
    );

    env.edit(&alice, chat, lost, "found again").await;
    env.wait_in_telegram(group, "Alice: found again").await;
    assert_eq!(
        env.bridge_texts(group),
        ["Alice: found again", "Alice: next"]
    );
}
