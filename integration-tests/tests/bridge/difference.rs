//! The bridge's real Telegram adapter on the MTProto double: what happens in a group
//! while the bridge is down comes back in one channel difference after its start, and
//! each new message, edit and delete of it reaches the chat once.

use crate::helpers::{NO_ACCESS, TestEnv, User, eventually};
use crate::metric;

const BOB: (i64, &str) = (4242, "Bob");

#[tokio::test(flavor = "multi_thread")]
async fn new_messages_edits_and_deletes_made_while_the_bridge_was_down_are_mirrored_once() {
    let env = TestEnv::spawn_on_double().await;
    let telegram = &env.double.as_ref().expect("on the double").telegram;
    let alice = User::new("Alice");
    let (chat, group) = env.linked_chat(&alice, &[]).await;
    let first = telegram.post_as_user(group.chat_id, BOB, "one", None);
    let second = telegram.post_as_user(group.chat_id, BOB, "two", None);
    let first_copy = env.wait_received(chat, first).await;
    let second_copy = env.wait_received(chat, second).await;

    env.stop_bridge().await;
    let third = telegram.post_as_user(group.chat_id, BOB, "three", None);
    telegram.edit_as_user(group.chat_id, first, "one, edited");
    telegram.delete_as_user(group.chat_id, second);
    let differences = telegram.channel_difference_calls();
    env.start_bridge().await;

    env.wait_received(chat, third).await;
    eventually("the edit mirrored", || async {
        let edited = env.events(chat, "message_edited").await;
        edited
            .iter()
            .any(|p| p["message_id"] == first_copy.to_string() && p["content"] == "one, edited")
            .then_some(())
    })
    .await;
    eventually("the delete mirrored", || async {
        let deleted = env.events(chat, "message_deleted").await;
        deleted
            .iter()
            .any(|p| p["message_id"] == second_copy.to_string())
            .then_some(())
    })
    .await;
    assert_eq!(
        telegram.channel_difference_calls(),
        differences + 1,
        "one channel difference"
    );

    // A barrier: updates are handled in order, so once it is in, nothing else is coming.
    let barrier = telegram.post_as_user(group.chat_id, BOB, "barrier", None);
    env.wait_received(chat, barrier).await;
    let received: Vec<i64> = env
        .events(chat, "telegram_message_received")
        .await
        .iter()
        .map(|p| p["telegram_message_id"].as_i64().expect("an id"))
        .collect();
    assert_eq!(received, [first, second, third, barrier], "each once");
    assert_eq!(
        env.events(chat, "message_edited").await.len(),
        1,
        "edited once"
    );
    assert_eq!(
        env.events(chat, "message_deleted").await.len(),
        1,
        "deleted once"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_group_the_bot_lost_while_down_marks_its_link_broken() {
    let env = TestEnv::spawn_on_double().await;
    let telegram = &env.double.as_ref().expect("on the double").telegram;
    let alice = User::new("Alice");
    let (chat, group) = env.linked_chat(&alice, &[]).await;
    let first = telegram.post_as_user(group.chat_id, BOB, "one", None);
    env.wait_received(chat, first).await;
    let breaks = metric::total("telegram_link_breaks_total");

    env.stop_bridge().await;
    telegram.post_as_user(group.chat_id, BOB, "unseen", None);
    env.set_kicked(group, true);
    env.start_bridge().await;

    eventually("the link marked broken", || async {
        // Found by the channel difference (CHANNEL_PRIVATE) or the start-up access check
        // (USER_NOT_PARTICIPANT), whichever runs first.
        env.broken_reason(chat)
            .await
            .filter(|r| NO_ACCESS.contains(&r.as_str()))
    })
    .await;
    // Counted just after the row is stored: the row can be seen first.
    eventually("the break counted", || async {
        (metric::total("telegram_link_breaks_total") > breaks).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_group_linked_and_never_heard_from_is_caught_up_after_a_restart() {
    let env = TestEnv::spawn_on_double().await;
    let telegram = &env.double.as_ref().expect("on the double").telegram;
    let alice = User::new("Alice");
    let (chat, group) = env.linked_chat(&alice, &[]).await;
    eventually("the bridge following the new group", || async {
        env.follows(group).then_some(())
    })
    .await;

    env.stop_bridge().await;
    let first = telegram.post_as_user(group.chat_id, BOB, "while the bridge was down", None);
    env.start_bridge().await;
    env.wait_received(chat, first).await;
}
