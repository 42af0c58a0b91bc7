//! A revoked authorization makes the bridge unready and skips nothing: what was sent in
//! the chat meanwhile reaches Telegram, once, when the bot is authorized again.

use chat_runtime::health::Verdict;

use crate::helpers::{TestEnv, User, eventually};
use crate::metric;

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_authorization_makes_the_bridge_unready_and_skips_nothing() {
    revoked_authorization(TestEnv::spawn().await).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn on_the_mtproto_double_a_revoked_authorization_makes_the_bridge_unready() {
    revoked_authorization(TestEnv::spawn_on_double().await).await;
}

async fn revoked_authorization(env: TestEnv) {
    let alice = User::new("Alice");
    let (chat, group) = env.linked_chat(&alice, &[]).await;
    env.send(&alice, chat, "before", None).await;
    env.wait_in_telegram(group, "Alice: before").await;
    eventually("the bridge ready", || async {
        (env.readiness() == Verdict::Ready).then_some(())
    })
    .await;
    let failures = metric::total("telegram_auth_failures_total");

    env.set_revoked(true);
    env.send(&alice, chat, "while signed out", None).await;
    eventually("the bridge not ready because of Telegram", || async {
        match env.readiness() {
            Verdict::NotReady(failed) => failed
                .iter()
                .any(|(name, _)| *name == "telegram")
                .then_some(()),
            _ => None,
        }
    })
    .await;
    assert!(
        metric::total("telegram_auth_failures_total") > failures,
        "the refused calls are counted"
    );
    assert!(
        env.bridge_texts(group) == ["Alice: before"],
        "nothing posted while signed out"
    );

    env.set_revoked(false);
    env.wait_in_telegram(group, "Alice: while signed out").await;
    eventually("the bridge ready again", || async {
        (env.readiness() == Verdict::Ready).then_some(())
    })
    .await;
    env.send(&alice, chat, "after", None).await;
    env.wait_in_telegram(group, "Alice: after").await;
    assert_eq!(
        env.bridge_texts(group),
        ["Alice: before", "Alice: while signed out", "Alice: after"]
    );
}
