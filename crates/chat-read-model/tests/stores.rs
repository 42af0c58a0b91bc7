//! The PostgreSQL and CQL adapters against the real servers: the same views as the
//! memory adapter under any interleaving of the projectors and any redelivery, and
//! history pagination across buckets.

mod support;

use std::collections::BTreeSet;
use std::sync::Arc;

use chat_domain::chat::commands::{HardDeleteChat, SendMessage};
use chat_domain::testing::decide_all;
use chat_domain::testing::fixtures as f;
use chat_domain::{ChatCommand, Envelope, EnvelopeMeta, MessageId};
use chat_read_model::bucket::bucket_of_message;
use chat_read_model::cql::CqlReadModels;
use chat_read_model::history::{self, HistoryQuery};
use chat_read_model::memory::MemoryReadModels;
use chat_read_model::model::{BucketRange, Direction};
use chat_read_model::pg::PgReadModels;
use chat_read_model::testing::workload;
use chat_read_model::{ChatQueries, MessageQueries, Projector};
use chat_runtime::connect;
use chat_test_kit::cql::migrate_keyspace;
use chat_test_kit::pg::fresh_database;
use chat_test_kit::{cql_config, unique_name};
use scylla::client::session::Session;
use scylla::statement::unprepared::Statement;
use uuid::{Timestamp, Uuid};

use support::{async_far_ahead, chats, deliver, users, views};

/// Fresh real stores, with the CQL session and keyspace for raw reads.
async fn real_stores() -> (PgReadModels, CqlReadModels, Arc<Session>, String) {
    let db = fresh_database().await;
    let keyspace = unique_name("test");
    let cql = cql_config(&keyspace);
    migrate_keyspace(&cql, &keyspace).await.expect("keyspace");
    let session = Arc::new(connect::cql(&cql).await.expect("CQL answers"));
    let messages = CqlReadModels::new(Arc::clone(&session), &keyspace)
        .await
        .expect("prepared");
    (PgReadModels::new(db.pool), messages, session, keyspace)
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
    let (pg, cql, ..) = real_stores().await;
    async_far_ahead(&pg, &cql, &envelopes, 2).await;
    assert_eq!(views(&pg, &cql, &chats, &users).await, reference);

    // A replay of everything, in order, changes nothing.
    for e in &envelopes {
        deliver(&pg, &cql, Projector::Sync, e).await;
        deliver(&pg, &cql, Projector::Async, e).await;
    }
    assert_eq!(views(&pg, &cql, &chats, &users).await, reference);
}

/// The fixtures' chat created by Alice with Bob: the first commands of a history.
fn alice_and_bob_meet() -> Vec<ChatCommand> {
    vec![f::create_group(f::ALICE, f::CHAT, &[f::BOB]).into()]
}

/// A TIMEUUID `i` hours after 2026-01-01.
fn hourly(i: u64) -> MessageId {
    let ts = Timestamp::from_unix_time(1_767_225_600 + i * 3_600, 0, 0, 14);
    MessageId::from_uuid(Uuid::new_v1(ts, &[9, 9, 9, 9, 9, 9]))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_over_1000_messages_in_several_buckets_pages_each_once_in_order() {
    const MESSAGES: u64 = 1_000;
    let mut commands = alice_and_bob_meet();
    commands.extend((0..MESSAGES).map(|i| {
        ChatCommand::from(SendMessage {
            ..f::send(f::BOB, hourly(i), &format!("m{i}"))
        })
    }));
    let events = decide_all(commands);
    let meta = EnvelopeMeta {
        actor: f::by(f::BOB),
        correlation_id: Uuid::from_u128(1),
        causation_id: None,
    };
    let (pg, cql, ..) = real_stores().await;
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

/// A TIMEUUID `i` hours after the fixtures' time.
fn hours_after_t0(i: u64) -> MessageId {
    let secs = u64::try_from(f::T0.unix_timestamp()).expect("after 1970") + i * 3_600;
    MessageId::from_uuid(Uuid::new_v1(
        Timestamp::from_unix_time(secs, 0, 0, 14),
        &[7; 6],
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hard_delete_purges_messages_and_read_statuses_even_those_projected_after_it() {
    const MESSAGES: u64 = 300; // 12.5 days: more than one bucket
    let last = hours_after_t0(MESSAGES - 1);
    let mut commands = alice_and_bob_meet();
    commands.extend((0..MESSAGES).map(|i| {
        ChatCommand::from(SendMessage {
            at: f::T0 + time::Duration::hours(i64::try_from(i).expect("small")),
            ..f::send(f::ALICE, hours_after_t0(i), &format!("m{i}"))
        })
    }));
    commands.push(f::read(f::BOB, last).into());
    commands.push(
        HardDeleteChat {
            at: f::T0 + time::Duration::hours(301),
            ..f::hard_delete(f::by(f::ALICE))
        }
        .into(),
    );
    let events = decide_all(commands);
    let meta = EnvelopeMeta {
        actor: f::by(f::ALICE),
        correlation_id: Uuid::from_u128(2),
        causation_id: None,
    };
    let envelopes = Envelope::wrap_all(events, &meta);
    let (pg, cql, session, keyspace) = real_stores().await;

    // projector-sync has projected the creation and the first 100 messages when
    // projector-async applies everything, the hard delete included; the remaining
    // messages reach the store after the purge.
    let first_message = envelopes
        .iter()
        .position(|e| e.event_type == "message_sent")
        .expect("a message");
    let (early, late) = envelopes.split_at(first_message + 100);
    for e in early {
        deliver(&pg, &cql, Projector::Sync, e).await;
    }
    for e in &envelopes {
        assert!(deliver(&pg, &cql, Projector::Async, e).await);
    }
    for e in late {
        deliver(&pg, &cql, Projector::Sync, e).await;
    }

    let (first_bucket, last_bucket) = (
        bucket_of_message(hours_after_t0(0)).expect("bucket"),
        bucket_of_message(last).expect("bucket"),
    );
    assert!(last_bucket > first_bucket, "the messages span buckets");
    for bucket in first_bucket..=last_bucket {
        let range = BucketRange {
            bucket,
            after: None,
            before: None,
            direction: Direction::Older,
            limit: 1_000,
        };
        let left = cql.bucket_page(f::CHAT, range).await.expect("page");
        assert!(
            left.is_empty(),
            "bucket {bucket} keeps {} messages",
            left.len()
        );
    }
    let statuses: i64 = session
        .query_unpaged(
            format!("SELECT count(*) FROM {keyspace}.message_read_status WHERE chat_id = ? AND user_id = ?"),
            (f::CHAT.as_uuid(), f::BOB.as_uuid()),
        )
        .await
        .expect("count")
        .into_rows_result()
        .expect("rows")
        .single_row::<(i64,)>()
        .expect("one row")
        .0;
    assert_eq!(statuses, 0, "Bob's read status is purged too");
}

/// A message without a sender name, a reply, a file or a Telegram origin leaves those
/// cells unwritten. Bound as nulls, they were tombstones (five a message) that every read
/// of the message steps over: the server counts them in the trace of a read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_message_is_stored_without_tombstones() {
    const MESSAGES: u64 = 20;
    let mut commands = alice_and_bob_meet();
    commands.extend((0..MESSAGES).map(|i| ChatCommand::from(f::send(f::BOB, hourly(i), "plain"))));
    let meta = EnvelopeMeta {
        actor: f::by(f::BOB),
        correlation_id: Uuid::from_u128(3),
        causation_id: None,
    };
    let (pg, cql, session, keyspace) = real_stores().await;
    for e in Envelope::wrap_all(decide_all(commands), &meta) {
        deliver(&pg, &cql, Projector::Sync, &e).await;
    }

    let buckets: BTreeSet<i32> = (0..MESSAGES)
        .map(|i| bucket_of_message(hourly(i)).expect("a time uuid"))
        .collect();
    let (mut live, mut tombstones) = (0, 0);
    for bucket in buckets {
        let (rows, dead) = traced_read(&session, &keyspace, bucket).await;
        live += rows;
        tombstones += dead;
    }
    assert_eq!(live, MESSAGES, "every message is read");
    assert_eq!(tombstones, 0, "tombstone cells read");
}

/// Reads a bucket of the fixtures' chat with tracing on; the live rows and the tombstone
/// cells the server says it read.
async fn traced_read(session: &Session, keyspace: &str, bucket: i32) -> (u64, u64) {
    let mut read = Statement::new(format!(
        "SELECT * FROM {keyspace}.messages WHERE chat_id = ? AND bucket = ?"
    ));
    read.set_tracing(true);
    let result = session
        .query_unpaged(read, (f::CHAT.as_uuid(), bucket))
        .await
        .expect("read");
    let id = result.tracing_id().expect("a traced read");
    let trace = session.get_tracing_info(&id).await.expect("the trace");
    // Cassandra's words: "Read 20 live rows and 0 tombstone cells".
    let counted = trace
        .events
        .iter()
        .filter_map(|e| e.activity.as_deref())
        .find_map(|activity| {
            let rest = activity.strip_prefix("Read ")?;
            let (live, rest) = rest.split_once(" live rows and ")?;
            let dead = rest.strip_suffix(" tombstone cells")?;
            Some((live.parse().ok()?, dead.parse().ok()?))
        });
    counted.unwrap_or_else(|| panic!("no read counted in the trace: {:#?}", trace.events))
}
