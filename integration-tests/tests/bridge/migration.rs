//! A chat linked to a basic group (before only supergroups linked) follows the group
//! when Telegram upgrades it to a supergroup (`migrate_to`): the link moves, the chat is
//! told, and messages flow both ways with the supergroup.

use crate::helpers::{TestEnv, User, eventually};

const BOB: (i64, &str) = (4242, "Bob");
const BASIC_GROUP: i64 = -4_242_424;

#[tokio::test(flavor = "multi_thread")]
async fn a_linked_basic_group_upgraded_to_a_supergroup_takes_the_link_along() {
    let env = TestEnv::spawn_on_double().await;
    let telegram = &env.double.as_ref().expect("on the double").telegram;
    let alice = User::new("Alice");
    let chat = env.group_chat(&alice, &[]).await;
    env.link_legacy_basic_group(&alice, chat, BASIC_GROUP).await;

    let supergroup = telegram.upgrade_basic_group(BASIC_GROUP);
    eventually("the link moved to the supergroup", || async {
        let group: Option<i64> = sqlx::query_scalar(
            "SELECT telegram_chat_id FROM telegram_bridge_links WHERE chat_id = $1 AND linked",
        )
        .bind(chat)
        .fetch_optional(&env.db.pool)
        .await
        .expect("read the link");
        (group == Some(supergroup)).then_some(())
    })
    .await;
    eventually("the chat told of the upgrade", || async {
        env.history(&alice, chat)
            .await
            .into_iter()
            .any(|m| {
                m["source"] == "system"
                    && m["content"]
                        .as_str()
                        .is_some_and(|c| c.contains("upgraded to a supergroup"))
            })
            .then_some(())
    })
    .await;

    let from_telegram = telegram.post_as_user(supergroup, BOB, "after the upgrade", None);
    env.wait_received(chat, from_telegram).await;
    let target = telegram_bridge::ports::TelegramTarget {
        chat_id: supergroup,
        topic_id: None,
    };
    env.send(&alice, chat, "to the supergroup", None).await;
    env.wait_in_telegram(target, "Alice: to the supergroup")
        .await;
}
