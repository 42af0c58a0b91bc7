//! Chat messages longer than Telegram's limit: posted in ordered parts that join back to
//! the text, each within the limit with the sender's name; edits and deletes reach every
//! part; replies in Telegram to any part find the message; a crash in the middle of a
//! message posts no part twice.

use telegram_bridge::limits::{TextLimit, utf16_len};
use telegram_bridge::ports::TelegramTarget;

use crate::helpers::{TestEnv, User, eventually};

const BOB: (i64, &str) = (4242, "Bob");

/// Prose of at least `units` UTF-16 code units: words, line breaks and paragraphs,
/// different for each `seed`.
fn prose(units: usize, seed: usize) -> String {
    let mut text = String::new();
    let mut i = seed;
    while utf16_len(&text) < units {
        text.push_str(["lorem ", "ipsum ", "dolor ", "sit ", "amet, ", "ünïcode "][i % 6]);
        if i.is_multiple_of(23) {
            text.push('\n');
        }
        if i.is_multiple_of(97) {
            text.push_str("\n\n");
        }
        i += 1;
    }
    text
}

/// What the bridge's posts in `group` carry once their `"Alice: "` prefix is taken off,
/// after asserting every post has it and is within Telegram's limit.
fn texts_of(posts: &[String]) -> Vec<&str> {
    posts
        .iter()
        .map(|post| {
            assert!(
                utf16_len(post) <= TextLimit::Message.max(),
                "a post of {} code units",
                utf16_len(post)
            );
            post.strip_prefix("Alice: ")
                .expect("every part shows the name")
        })
        .collect()
}

/// Waits until the bridge's posts in `group` join (prefixes off) to `text`, and every
/// one of them is in the id mapping; returns their Telegram ids, oldest first.
async fn wait_joined(env: &TestEnv, group: TelegramTarget, text: &str) -> Vec<i64> {
    eventually("the parts in Telegram, mapped", || async {
        let posts: Vec<_> = env
            .telegram
            .messages(group.chat_id)
            .into_iter()
            .filter(|m| m.outgoing)
            .collect();
        let texts: Vec<String> = posts.iter().map(|m| m.text.clone()).collect();
        if texts_of(&texts).concat() != text {
            return None;
        }
        let ids: Vec<i64> = posts.iter().map(|m| m.id).collect();
        (env.mapped(group, &ids).await == ids.len()).then_some(ids)
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_long_chat_message_reaches_telegram_in_ordered_parts_that_join_back() {
    let env = TestEnv::spawn().await;
    let alice = User::new("Alice");
    let (chat, group) = env.linked_chat(&alice, &[]).await;
    let five = prose(5_000, 1);
    // 9,000 code units without a space: emoji (surrogate pairs) and one long word.
    let nine = format!("{}{}", "😀".repeat(1_500), "x".repeat(6_000));

    env.send(&alice, chat, &five, None).await;
    env.send(&alice, chat, &nine, None).await;
    env.send(&alice, chat, "barrier", None).await;
    env.wait_in_telegram(group, "Alice: barrier").await;

    let posts = env.bridge_texts(group);
    let texts = texts_of(&posts);
    assert_eq!(texts.len(), 2 + 3 + 1, "5,000 in two parts, 9,000 in three");
    assert_eq!(texts[..2].concat(), five);
    assert_eq!(texts[2..5].concat(), nine);
    assert_eq!(texts[5], "barrier");
    let metrics = chat_runtime::metrics::render();
    assert!(metrics.contains("telegram_split_messages_total{operation=\"send\"}"));
}

#[tokio::test(flavor = "multi_thread")]
async fn edits_deletes_and_replies_reach_every_part_of_a_long_message() {
    let env = TestEnv::spawn().await;
    let alice = User::new("Alice");
    let (chat, group) = env.linked_chat(&alice, &[]).await;
    let original = prose(9_000, 2);
    let message = env.send(&alice, chat, &original, None).await;
    let parts = wait_joined(&env, group, &original).await;
    assert_eq!(parts.len(), 3);

    // A reply in Telegram to the middle part replies to the chat message.
    let reply = env
        .telegram
        .post_as_user(group, BOB, "about part two", Some(parts[1]))
        .expect("posted");
    env.wait_received(chat, reply).await;
    assert_eq!(
        env.received(chat, reply).await[0]["reply_to"],
        message.to_string()
    );

    // Shorter: two parts edited in place, the third deleted.
    let shorter = prose(5_000, 3);
    env.edit(&alice, chat, message, &shorter).await;
    let edited = wait_joined(&env, group, &shorter).await;
    assert_eq!(
        edited,
        parts[..2],
        "edited in place, the surplus part deleted"
    );

    // Longer again: the two edited, a third posted after them.
    let longer = prose(9_500, 4);
    env.edit(&alice, chat, message, &longer).await;
    let grown = wait_joined(&env, group, &longer).await;
    assert_eq!(grown.len(), 3);
    assert_eq!(grown[..2], parts[..2]);
    assert!(grown[2] > reply, "the extra part is a new post");

    env.delete(&alice, chat, message).await;
    eventually("every part deleted", || async {
        env.bridge_texts(group).is_empty().then_some(())
    })
    .await;
    let left = env.telegram.messages(group.chat_id);
    assert_eq!(left.len(), 1, "only Bob's reply is left: {left:?}");
}

/// A Telegram admin deletes the middle part: the chat keeps its message, and the next
/// edit reaches the parts that are left (and posts what no longer fits in them).
#[tokio::test(flavor = "multi_thread")]
async fn a_part_deleted_in_telegram_is_forgotten_and_the_next_edit_reaches_the_rest() {
    let env = TestEnv::spawn().await;
    let alice = User::new("Alice");
    let (chat, group) = env.linked_chat(&alice, &[]).await;
    let message = env.send(&alice, chat, &prose(9_000, 6), None).await;
    let parts = wait_joined(&env, group, &prose(9_000, 6)).await;

    assert!(env.telegram.delete_as_user(group.chat_id, parts[1]));
    eventually("the deleted part forgotten", || async {
        (env.mapped(group, &parts[1..2]).await == 0).then_some(())
    })
    .await;
    let edited = prose(9_000, 7);
    env.edit(&alice, chat, message, &edited).await;
    let now = wait_joined(&env, group, &edited).await;

    assert_eq!(
        now[..2],
        [parts[0], parts[2]],
        "the parts left, edited in order"
    );
    assert!(env.events(chat, "message_deleted").await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_crash_after_the_first_part_posts_no_part_twice() {
    let env = TestEnv::spawn().await;
    let alice = User::new("Alice");
    let (chat, group) = env.linked_chat(&alice, &[]).await;
    let text = prose(9_000, 5);
    // Telegram takes the first part, then the connection breaks.
    env.telegram.fail_sends_after(1);

    env.send(&alice, chat, &text, None).await;
    eventually("the first part in Telegram, mapped", || async {
        let ids: Vec<i64> = env
            .telegram
            .messages(group.chat_id)
            .iter()
            .map(|m| m.id)
            .collect();
        (ids.len() == 1 && env.mapped(group, &ids).await == 1).then_some(())
    })
    .await;
    env.crash_bridge().await;
    env.telegram.heal_sends();
    env.start_bridge().await;
    env.send(&alice, chat, "barrier", None).await;
    env.wait_in_telegram(group, "Alice: barrier").await;

    let posts = env.bridge_texts(group);
    let texts = texts_of(&posts);
    assert_eq!(
        texts.len(),
        3 + 1,
        "three parts once each, then the barrier"
    );
    assert_eq!(texts[..3].concat(), text);
}
