//! The PostgreSQL and CQL adapters against the real servers: the same views as the
//! memory adapter under any interleaving of the projectors and any redelivery, and
//! history pagination across buckets.

mod support;

use std::sync::Arc;

use chat_domain::chat::commands::SendMessage;
use chat_domain::testing::fixtures as f;
use chat_domain::{Aggregate, Chat, ChatCommand, ChatState, Envelope, EnvelopeMeta, MessageId};
use chat_read_model::bucket::bucket_of_message;
use chat_read_model::cql::CqlReadModels;
use chat_read_model::history::{self, HistoryQuery};
use chat_read_model::memory::MemoryReadModels;
use chat_read_model::pg::PgReadModels;
use chat_read_model::testing::{migrate_keyspace, workload};
use chat_read_model::{ChatQueries, Projector};
use chat_runtime::connect;
use integration_tests::pg::fresh_database;
use integration_tests::{cql_config, unique_name};
use uuid::{Timestamp, Uuid};

use support::{chats, deliver, users, views};

async fn real_stores() -> (PgReadModels, CqlReadModels) {
    let db = fresh_database().await;
    let keyspace = unique_name("test");
    let cql = cql_config(&keyspace);
    migrate_keyspace(&cql, &keyspace).await.expect("keyspace");
    let session = Arc::new(connect::cql(&cql).await.expect("CQL answers"));
    let messages = CqlReadModels::new(session, &keyspace)
        .await
        .expect("prepared");
    (PgReadModels::new(db.pool), messages)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_stores_show_the_same_views_whatever_the_order_and_redelivery() {
    let envelopes = workload(8, 1_200, 3);
    let (chats, users) = (chats(&envelopes), users(&envelopes));
    let memory = MemoryReadModels::default();
    for e in &envelopes {
        deliver(&memory, &memory, Projector::Sync, e).await;
        deliver(&memory, &memory, Projector::Async, e).await;
    }
    let reference = views(&memory, &memory, &chats, &users).await;

    // projector-async runs ahead of projector-sync; every event arrives twice.
    let (pg, cql) = real_stores().await;
    for e in &envelopes {
        deliver(&pg, &cql, Projector::Async, e).await;
        deliver(&pg, &cql, Projector::Async, e).await;
    }
    for e in &envelopes {
        deliver(&pg, &cql, Projector::Sync, e).await;
        deliver(&pg, &cql, Projector::Sync, e).await;
    }
    assert_eq!(views(&pg, &cql, &chats, &users).await, reference);

    // A replay of everything, in order, changes nothing.
    for e in &envelopes {
        deliver(&pg, &cql, Projector::Sync, e).await;
        deliver(&pg, &cql, Projector::Async, e).await;
    }
    assert_eq!(views(&pg, &cql, &chats, &users).await, reference);
}

/// A TIMEUUID `i` hours after 2026-01-01.
fn hourly(i: u64) -> MessageId {
    let ts = Timestamp::from_unix_time(1_767_225_600 + i * 3_600, 0, 0, 14);
    MessageId::from_uuid(Uuid::new_v1(ts, &[9, 9, 9, 9, 9, 9]))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_over_1000_messages_in_several_buckets_pages_each_once_in_order() {
    const MESSAGES: u64 = 1_000;
    let mut state = ChatState::Absent;
    let mut events = Vec::new();
    let mut commands = vec![ChatCommand::from(f::create_group(
        f::ALICE,
        f::CHAT,
        &[f::BOB],
    ))];
    commands.extend((0..MESSAGES).map(|i| {
        ChatCommand::from(SendMessage {
            ..f::send(f::BOB, hourly(i), &format!("m{i}"))
        })
    }));
    for command in commands {
        let decided = Chat::decide(&state, command).expect("accepted");
        state = decided.iter().fold(state, Chat::evolve);
        events.extend(decided);
    }
    let meta = EnvelopeMeta {
        actor: f::by(f::BOB),
        correlation_id: Uuid::from_u128(1),
        causation_id: None,
    };
    let (pg, cql) = real_stores().await;
    for e in Envelope::wrap_all(events, &meta) {
        deliver(&pg, &cql, Projector::Sync, &e).await;
    }
    let chat = pg.chat(f::CHAT).await.expect("read").expect("chat");
    let (oldest, newest) = chat.buckets.expect("buckets");
    assert!(
        newest - oldest >= 4,
        "1,000 hours span several 10-day buckets"
    );
    assert_eq!(bucket_of_message(hourly(0)), Some(oldest));
    let all: Vec<MessageId> = (0..MESSAGES).rev().map(hourly).collect();

    // Newest to oldest, 37 at a time.
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let query = HistoryQuery {
            before,
            after: None,
            limit: 37,
        };
        let page = history::page(&cql, &chat, query).await.expect("page");
        seen.extend(page.iter().map(|m| m.id));
        match page.last() {
            Some(last) if page.len() == 37 => before = Some(last.id),
            _ => break,
        }
    }
    assert_eq!(seen, all, "newest first, each once");

    // Oldest to newest from the first message, 41 at a time (each page newest first).
    let mut seen = Vec::new();
    let mut after = Some(hourly(0));
    while let Some(cursor) = after {
        let query = HistoryQuery {
            before: None,
            after: Some(cursor),
            limit: 41,
        };
        let page = history::page(&cql, &chat, query).await.expect("page");
        seen.extend(page.iter().rev().map(|m| m.id));
        after = page.first().map(|m| m.id);
    }
    let ascending: Vec<MessageId> = (1..MESSAGES).map(hourly).collect();
    assert_eq!(seen, ascending, "oldest first after the cursor, each once");

    // Between two cursors, across buckets.
    let query = HistoryQuery {
        before: Some(hourly(700)),
        after: Some(hourly(400)),
        limit: 100,
    };
    let page = history::page(&cql, &chat, query).await.expect("page");
    let between: Vec<MessageId> = (600..700).rev().map(hourly).collect();
    assert_eq!(page.iter().map(|m| m.id).collect::<Vec<_>>(), between);
    assert_eq!(page[0].content.as_deref(), Some("m699"));
}
