//! A chat's newest message as the chat keeps it (what a chat list shows without reading
//! the messages store): the message as history shows it after its edits and its delete,
//! whichever projector runs ahead, on the memory adapter and on the real PostgreSQL and
//! CQL servers.

mod support;

use std::sync::Arc;

use chat_domain::testing::decide_all;
use chat_domain::testing::fixtures as f;
use chat_domain::{Actor, ChatCommand, Envelope, EnvelopeMeta};
use chat_read_model::bucket::bucket_of_message;
use chat_read_model::cql::CqlReadModels;
use chat_read_model::memory::MemoryReadModels;
use chat_read_model::model::MessageRecord;
use chat_read_model::pg::PgReadModels;
use chat_read_model::{ChatQueries, MessageQueries, MessageStore, Projector, RowStore};
use chat_runtime::connect;
use chat_test_kit::cql::migrate_keyspace;
use chat_test_kit::pg::fresh_database;
use chat_test_kit::{cql_config, unique_name};
use uuid::Uuid;

use support::{async_far_ahead, deliver};

/// Which projector sees the events first.
#[derive(Debug, Clone, Copy)]
enum Ahead {
    Sync,
    Async,
}

/// Bob's plain message, then Alice's picture, then Bob edits his (older: the newest
/// stays as it was) and Alice edits her caption.
fn sent_and_edited() -> Vec<ChatCommand> {
    vec![
        f::create_group(f::ALICE, f::CHAT, &[f::BOB]).into(),
        f::send(f::BOB, f::msg(1), "first").into(),
        f::send_media(f::ALICE, f::msg(2), "second", f::png(1)).into(),
        f::edit(Actor::user(f::BOB), f::msg(1), "first, edited").into(),
        f::edit(Actor::user(f::ALICE), f::msg(2), "second, edited").into(),
    ]
}

fn wrapped(commands: Vec<ChatCommand>) -> Vec<Envelope> {
    let meta = EnvelopeMeta {
        actor: f::by(f::ALICE),
        correlation_id: Uuid::from_u128(1),
        causation_id: None,
    };
    Envelope::wrap_all(decide_all(commands), &meta)
}

async fn apply(
    rows: &impl RowStore,
    messages: &impl MessageStore,
    envelopes: &[Envelope],
    ahead: Ahead,
) {
    match ahead {
        Ahead::Async => async_far_ahead(rows, messages, envelopes, 2).await,
        Ahead::Sync => {
            for projector in [Projector::Sync, Projector::Async] {
                for e in envelopes {
                    assert!(deliver(rows, messages, projector, e).await);
                }
            }
        }
    }
}

/// The chat's newest message as the chat keeps it, checked against the message as the
/// messages store (history) has it.
async fn newest(q: &impl ChatQueries, m: &impl MessageQueries) -> MessageRecord {
    let chat = q.chat(f::CHAT).await.expect("read").expect("chat");
    let kept = chat
        .last_message
        .expect("the chat keeps its newest message");
    assert_eq!(chat.last_message_id, Some(kept.id));
    let bucket = bucket_of_message(kept.id).expect("a TIMEUUID");
    let stored = m.message(f::CHAT, bucket, kept.id).await.expect("read");
    assert_eq!(stored.as_ref(), Some(&kept), "as history shows it");
    kept
}

/// The story on one pair of stores: edits and then the delete of the newest message.
async fn story(
    rows: &(impl RowStore + ChatQueries),
    messages: &(impl MessageStore + MessageQueries),
    ahead: Ahead,
) {
    let mut commands = sent_and_edited();
    apply(rows, messages, &wrapped(commands.clone()), ahead).await;
    let kept = newest(rows, messages).await;
    assert_eq!(kept.id, f::msg(2));
    assert_eq!(kept.content.as_deref(), Some("second, edited"));
    assert!(kept.is_edited && kept.attachment.is_some());

    commands.push(f::delete(Actor::user(f::ALICE), f::msg(2)).into());
    apply(rows, messages, &wrapped(commands), ahead).await;
    let kept = newest(rows, messages).await;
    assert_eq!(
        kept.id,
        f::msg(2),
        "a delete leaves its place, not the message"
    );
    assert!(kept.is_deleted && kept.content.is_none() && kept.attachment.is_none());
}

#[tokio::test]
async fn the_memory_adapter_keeps_the_newest_message_as_edited_and_deleted() {
    for ahead in [Ahead::Sync, Ahead::Async] {
        let memory = MemoryReadModels::default();
        story(&memory, &memory, ahead).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_stores_keep_the_newest_message_as_edited_and_deleted() {
    for ahead in [Ahead::Sync, Ahead::Async] {
        let db = fresh_database().await;
        let keyspace = unique_name("test");
        let cql = cql_config(&keyspace);
        migrate_keyspace(&cql, &keyspace).await.expect("keyspace");
        let session = Arc::new(connect::cql(&cql).await.expect("CQL answers"));
        let messages = CqlReadModels::new(session, &keyspace)
            .await
            .expect("prepared");
        story(&PgReadModels::new(db.pool), &messages, ahead).await;
    }
}
