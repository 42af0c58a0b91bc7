//! A bot removed from a group marks that link broken, tells the chat (a notice) and
//! records what it could not mirror (the dead-letter topic), while the other links keep
//! mirroring; let back in, the link is healthy again and the chat is told so.

use std::time::Duration;

use chat_test_kit::kafka::read_records;
use uuid::Uuid;

use crate::helpers::{NO_ACCESS, TestEnv, User, eventually};
use crate::metric;

/// Waits until `user` sees a system notice containing `text` in `chat`'s history.
async fn notice_in_chat(env: &TestEnv, user: &User, chat: Uuid, text: &str) {
    eventually(&format!("a notice {text:?} in the chat"), || async {
        env.history(user, chat)
            .await
            .into_iter()
            .any(|m| {
                m["source"] == "system" && m["content"].as_str().is_some_and(|c| c.contains(text))
            })
            .then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_kicked_bot_marks_the_link_broken_and_records_what_it_could_not_mirror() {
    kicked_bot(TestEnv::spawn().await).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn on_the_mtproto_double_a_kicked_bot_marks_the_link_broken() {
    kicked_bot(TestEnv::spawn_on_double().await).await;
}

async fn kicked_bot(env: TestEnv) {
    let alice = User::new("Alice");
    let (chat, group) = env.linked_chat(&alice, &[]).await;
    let (other, other_group) = env.linked_chat(&alice, &[]).await;
    let unmirrored = metric::total("telegram_unmirrored_events_total");

    env.set_kicked(group, true);
    let lost = env.send(&alice, chat, "while kicked", None).await;
    env.send(&alice, other, "elsewhere", None).await;
    env.wait_in_telegram(other_group, "Alice: elsewhere").await;

    // Marked by whichever call meets the removal first: the send ("CHANNEL_PRIVATE") or,
    // when the send comes late on a loaded machine, the access check these tests run
    // every second (on the double, "USER_NOT_PARTICIPANT"). The first reason is kept.
    let reason = eventually("the link marked broken", || async {
        env.broken_reason(chat)
            .await
            .filter(|r| NO_ACCESS.contains(&r.as_str()))
    })
    .await;
    assert_eq!(
        env.broken_reason(other).await,
        None,
        "the other link is fine"
    );
    // Counted after the link is stored as broken: the link can be seen first.
    eventually("the unmirrored event counted", || async {
        (metric::total("telegram_unmirrored_events_total") > unmirrored).then_some(())
    })
    .await;
    // The chat is told, once.
    notice_in_chat(
        &env,
        &alice,
        chat,
        &format!("lost access to the linked group ({reason})"),
    )
    .await;
    // Not skipped unseen: the event is kept on the dead-letter topic.
    let dead = read_records(&env.dead_letters(), 1, Duration::from_secs(30)).await;
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert!(dead[0].payload.contains(&lost.to_string()), "{dead:?}");

    env.set_kicked(group, false);
    env.send(&alice, chat, "back", None).await;
    env.wait_in_telegram(group, "Alice: back").await;
    eventually("the link healthy again", || async {
        env.broken_reason(chat).await.is_none().then_some(())
    })
    .await;
    notice_in_chat(&env, &alice, chat, "back in the linked group").await;
    let notices = env
        .history(&alice, chat)
        .await
        .into_iter()
        .filter(|m| m["source"] == "system")
        .count();
    assert_eq!(notices, 2, "one notice per change");
    assert_eq!(env.bridge_texts(group), ["Alice: back"]);
}
