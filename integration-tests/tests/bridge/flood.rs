//! Telegram's flood waits are obeyed: nothing dropped, order kept, no early retries.

use crate::helpers::{TestEnv, User, eventually};

#[tokio::test(flavor = "multi_thread")]
async fn flood_waits_on_every_third_send_lose_nothing_and_keep_order() {
    let env = TestEnv::spawn().await;
    let alice = User::new("Alice");
    let (chat, group) = env.linked_chat(&alice, &[]).await;
    env.telegram.flood_wait_every(3, 1);

    let expected: Vec<String> = (0..12).map(|i| format!("Alice: message {i}")).collect();
    for i in 0..12 {
        env.send(&alice, chat, &format!("message {i}"), None).await;
    }
    eventually("every message in Telegram", || async {
        (env.bridge_texts(group).len() >= expected.len()).then_some(())
    })
    .await;

    assert_eq!(env.bridge_texts(group), expected);
    assert_eq!(
        env.telegram.premature_sends(),
        0,
        "a send came before the wait was over"
    );

    // Operators see the waits: what /metrics serves (the process-wide registry; other
    // tests of this binary add to it, hence "at least").
    let metrics = chat_runtime::metrics::render();
    let value = |series: &str| -> f64 {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
            .unwrap_or_else(|| panic!("{series} missing from /metrics"))
    };
    assert!(value("telegram_flood_waits_total{operation=\"send\"}") >= 4.0);
    assert!(value("telegram_calls_total{operation=\"send\",outcome=\"ok\"}") >= 12.0);
}
