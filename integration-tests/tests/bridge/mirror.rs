//! A linked chat mirrors both ways: messages once each, replies, edits, deletes, no echo.

use serde_json::Value;

use chat_domain::{ChatId, MessageId};
use telegram_bridge::adapters::pg::{BridgeStore, Origin};
use telegram_bridge::ports::{TelegramGateway, TelegramTarget};

use crate::helpers::{TestEnv, User};

const BOB: (i64, &str) = (4242, "Bob");

#[tokio::test(flavor = "multi_thread")]
async fn a_chat_message_appears_once_in_the_linked_group() {
    let env = TestEnv::spawn().await;
    let alice = User::new("Alice");
    let (chat, group) = env.linked_chat(&alice, &[]).await;

    env.send(&alice, chat, "hello", None).await;
    env.wait_in_telegram(group, "Alice: hello").await;
    // Events are mirrored in order: once the next one is there, a duplicate of the
    // first would be too.
    env.send(&alice, chat, "second", None).await;
    env.wait_in_telegram(group, "Alice: second").await;

    assert_eq!(env.bridge_texts(group), ["Alice: hello", "Alice: second"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_telegram_message_appears_once_in_the_chat_and_is_not_echoed() {
    let env = TestEnv::spawn().await;
    let alice = User::new("Alice");
    let (chat, group) = env.linked_chat(&alice, &[]).await;

    let first = env
        .telegram
        .post_as_user(group, BOB, "hi from Telegram", None)
        .expect("posted");
    env.wait_received(chat, first).await;
    let second = env
        .telegram
        .post_as_user(group, BOB, "again", None)
        .expect("posted");
    env.wait_received(chat, second).await;
    let received = env.received(chat, first).await;
    assert_eq!(received.len(), 1, "exactly once: {received:?}");
    assert_eq!(received[0]["sender_name"], "Bob");
    assert_eq!(received[0]["content"], "hi from Telegram");
    assert_eq!(received[0]["telegram_user_id"], 4242);
    let history = env.history(&alice, chat).await;
    let shown: Vec<&Value> = history
        .iter()
        .filter(|m| m["content"] == "hi from Telegram")
        .collect();
    assert_eq!(shown.len(), 1, "once in the history: {history:?}");

    // The outbound side saw both TelegramMessageReceived events before this message:
    // had it echoed them, they would be in the group by now.
    env.send(&alice, chat, "barrier", None).await;
    env.wait_in_telegram(group, "Alice: barrier").await;
    assert_eq!(env.bridge_texts(group), ["Alice: barrier"]);
    // And the bridge's own message coming back as an update did not become a chat message.
    assert_eq!(env.events(chat, "telegram_message_received").await.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn replies_become_replies_on_the_other_side() {
    let env = TestEnv::spawn().await;
    let alice = User::new("Alice");
    let (chat, group) = env.linked_chat(&alice, &[]).await;

    let question = env
        .telegram
        .post_as_user(group, BOB, "question?", None)
        .expect("posted");
    let question_in_chat = env.wait_received(chat, question).await;
    env.send(&alice, chat, "answer", Some(question_in_chat))
        .await;
    env.wait_in_telegram(group, "Alice: answer").await;
    let answer = env
        .telegram
        .messages(group.chat_id)
        .into_iter()
        .find(|m| m.text == "Alice: answer")
        .expect("answer");
    assert_eq!(answer.reply_to, Some(question));

    let thanks = env
        .telegram
        .post_as_user(group, BOB, "thanks", Some(answer.id))
        .expect("posted");
    env.wait_received(chat, thanks).await;
    let received = env.received(chat, thanks).await;
    let answer_sent = &env.events(chat, "message_sent").await[0];
    assert_eq!(received[0]["reply_to"], answer_sent["message_id"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reply_that_comes_before_the_bridge_recorded_its_parent_still_finds_it() {
    let env = TestEnv::spawn().await;
    let alice = User::new("Alice");
    let (chat, group) = env.linked_chat(&alice, &[]).await;
    // A message written while the chat was not linked: the bridge never mirrors it, so
    // this test plays the bridge's send of it.
    env.unlink(&alice, chat).await;
    let message = env.send(&alice, chat, "before", None).await;
    env.link(&alice, chat, group).await;
    let version = env.events(chat, "message_sent").await[0]["version"]
        .as_u64()
        .expect("version");

    // Telegram accepted the bridge's send, and Bob replied at once, before the bridge
    // recorded the id mapping (it does right after the send returns).
    env.stop_bridge().await;
    let own = env
        .telegram
        .connect()
        .send_message(group, "Alice: before", None, 1)
        .await
        .expect("posted");
    let reply = env
        .telegram
        .post_as_user(group, BOB, "re", Some(own))
        .expect("posted");
    env.start_bridge().await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    BridgeStore::new(env.db.pool.clone())
        .record(
            ChatId::from_uuid(chat),
            MessageId::from_uuid(message),
            group,
            own,
            Origin::Chat,
            version,
        )
        .await
        .expect("mapping recorded");

    env.wait_received(chat, reply).await;
    let received = env.received(chat, reply).await;
    assert_eq!(received[0]["reply_to"], message.to_string());
}

#[tokio::test(flavor = "multi_thread")]
async fn edits_and_deletes_mirror_both_ways() {
    let env = TestEnv::spawn().await;
    let alice = User::new("Alice");
    let (chat, group) = env.linked_chat(&alice, &[]).await;

    // Chat -> Telegram.
    let message = env.send(&alice, chat, "draft", None).await;
    let copy = env.wait_in_telegram(group, "Alice: draft").await;
    env.edit(&alice, chat, message, "final").await;
    env.wait_in_telegram(group, "Alice: final").await;
    let edited = env.telegram.messages(group.chat_id);
    assert_eq!(edited.len(), 1, "edited in place: {edited:?}");
    assert_eq!(edited[0].id, copy);
    env.delete(&alice, chat, message).await;
    crate::helpers::eventually("the copy to be deleted", || async {
        env.telegram
            .messages(group.chat_id)
            .is_empty()
            .then_some(())
    })
    .await;

    // Telegram -> chat.
    let original = env
        .telegram
        .post_as_user(group, BOB, "typo", None)
        .expect("posted");
    let in_chat = env.wait_received(chat, original).await;
    env.telegram
        .edit_as_user(group.chat_id, original, "fixed")
        .expect("edited");
    let edit = crate::helpers::eventually("the edit in the chat", || async {
        env.events(chat, "message_edited")
            .await
            .into_iter()
            .find(|e| e["content"] == "fixed")
    })
    .await;
    assert_eq!(edit["message_id"], in_chat.to_string());
    assert_eq!(edit["edited_by"]["kind"], "service");
    env.telegram.delete_as_user(group.chat_id, original);
    let deleted = crate::helpers::eventually("the delete in the chat", || async {
        let deleted = env.events(chat, "message_deleted").await;
        deleted
            .into_iter()
            .find(|e| e["message_id"] == in_chat.to_string())
    })
    .await;
    assert_eq!(deleted["deleted_by"]["kind"], "service");

    // Neither the service's edit nor its delete went back to Telegram as a new action.
    env.send(&alice, chat, "barrier", None).await;
    env.wait_in_telegram(group, "Alice: barrier").await;
    assert_eq!(env.bridge_texts(group), ["Alice: barrier"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_chat_linked_to_a_forum_topic_mirrors_that_topic_only() {
    let env = TestEnv::spawn().await;
    let alice = User::new("Alice");
    let (chat, whole_group) = env.linked_chat(&alice, &[]).await;
    env.unlink(&alice, chat).await;
    let topic = TelegramTarget {
        topic_id: Some(5),
        ..whole_group
    };
    env.link(&alice, chat, topic).await;

    let elsewhere = TelegramTarget {
        topic_id: Some(9),
        ..whole_group
    };
    let other_topic = env
        .telegram
        .post_as_user(elsewhere, BOB, "other topic", None)
        .expect("posted");
    let in_topic = env
        .telegram
        .post_as_user(topic, BOB, "our topic", None)
        .expect("posted");
    env.wait_received(chat, in_topic).await;
    assert!(env.received(chat, other_topic).await.is_empty());
    assert_eq!(
        env.received(chat, in_topic).await[0]["telegram_topic_id"],
        5
    );

    env.send(&alice, chat, "into the topic", None).await;
    env.wait_in_telegram(topic, "Alice: into the topic").await;
    let sent = env
        .telegram
        .messages(topic.chat_id)
        .into_iter()
        .find(|m| m.outgoing)
        .expect("the bridge's message");
    assert_eq!(sent.topic_id, Some(5));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reply_to_a_copy_deleted_in_telegram_still_arrives() {
    let env = TestEnv::spawn().await;
    let alice = User::new("Alice");
    let (chat, group) = env.linked_chat(&alice, &[]).await;
    let parent = env.send(&alice, chat, "parent", None).await;
    let copy = env.wait_in_telegram(group, "Alice: parent").await;

    // A Telegram admin removes the copy; the chat keeps its message.
    env.telegram.delete_as_user(group.chat_id, copy);
    env.send(&alice, chat, "child", Some(parent)).await;
    env.wait_in_telegram(group, "Alice: child").await;

    let child = env
        .telegram
        .messages(group.chat_id)
        .into_iter()
        .find(|m| m.text == "Alice: child")
        .expect("child");
    assert_eq!(child.reply_to, None);
    assert!(env.events(chat, "message_deleted").await.is_empty());
}
