//! A bot that cannot read a group (not in it, or a plain member with privacy mode on):
//! the link is refused with what to fix, and a linked group that turns so makes the
//! bridge unready until fixed.

use chat_runtime::health::Verdict;
use reqwest::StatusCode;
use telegram_bridge::adapters::telegram::double::BotRole;

use crate::helpers::{TestEnv, User, eventually, new_group};

#[tokio::test(flavor = "multi_thread")]
async fn a_link_to_a_group_the_bot_cannot_read_is_refused_with_what_to_fix() {
    let env = TestEnv::spawn_on_double().await;
    let telegram = &env.double.as_ref().expect("on the double").telegram;
    let alice = User::new("Alice");
    let chat = env.group_chat(&alice, &[]).await;
    let group = new_group();

    telegram.add_group(group.chat_id, BotRole::Removed);
    let (status, body) = env.link_answer(&alice, chat, group).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "telegram_bot_not_in_group", "{body}");

    telegram.set_privacy(true);
    telegram.set_role(group.chat_id, BotRole::Member);
    let (status, body) = env.link_answer(&alice, chat, group).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "telegram_bot_privacy_mode", "{body}");
    let message = body["error"]["message"].as_str().expect("a message");
    assert!(
        message.contains("admin") && message.contains("/setprivacy"),
        "{message}"
    );
    assert!(
        env.events(chat, "telegram_chat_linked").await.is_empty(),
        "nothing stored"
    );

    // The bridge away: the link cannot be checked, so it is not made.
    telegram.set_role(group.chat_id, BotRole::Admin);
    env.stop_bridge().await;
    let (status, body) = env.try_link(&alice, chat, group).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(
        env.events(chat, "telegram_chat_linked").await.is_empty(),
        "nothing stored"
    );

    env.start_bridge().await;
    env.link(&alice, chat, group).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_linked_group_where_the_bot_sees_only_commands_makes_the_bridge_unready() {
    let env = TestEnv::spawn_on_double().await;
    let telegram = &env.double.as_ref().expect("on the double").telegram;
    let alice = User::new("Alice");
    let (_, group) = env.linked_chat(&alice, &[]).await;
    eventually("the bridge ready", || async {
        (env.readiness() == Verdict::Ready).then_some(())
    })
    .await;

    // Demoted to a plain member while privacy mode is on: the periodic check finds it.
    telegram.set_privacy(true);
    telegram.set_role(group.chat_id, BotRole::Member);
    eventually("the bridge not ready because of the group", || async {
        match env.readiness() {
            Verdict::NotReady(failed) => failed
                .iter()
                .any(|(name, _)| *name == "telegram_groups")
                .then_some(()),
            _ => None,
        }
    })
    .await;

    telegram.set_role(group.chat_id, BotRole::Admin);
    eventually("the bridge ready again", || async {
        (env.readiness() == Verdict::Ready).then_some(())
    })
    .await;
}
