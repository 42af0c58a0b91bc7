//! The user directory against the real PostgreSQL (and the memory adapter): whichever
//! order the chats are projected in (projector-async runs partitions side by side) and
//! however often an event comes again, each user's name is the one their newest event
//! carried.

mod support;

use std::collections::{BTreeMap, HashMap};

use chat_domain::{Actor, ChatId, Envelope, UserId};
use chat_read_model::memory::MemoryReadModels;
use chat_read_model::pg::PgReadModels;
use chat_read_model::testing::workload;
use chat_read_model::{ChatQueries, MessageStore, Projector, RowStore};
use integration_tests::pg::fresh_database;
use uuid::Uuid;

use support::deliver;

/// `envelopes` with every user actor one of three people who act in every chat, named
/// after the time of the event.
fn named(envelopes: Vec<Envelope>) -> Vec<Envelope> {
    envelopes
        .into_iter()
        .map(|mut e| {
            if let Actor::User { id, .. } = e.actor {
                let person = UserId::from_uuid(Uuid::from_u128(id.as_uuid().as_u128() % 3 + 1));
                let name = format!("{person} at {}", e.occurred_at.unix_timestamp());
                e.actor = Actor::named_user(person, name);
            }
            e
        })
        .collect()
}

/// Each user's name as of their newest event.
fn newest_names(envelopes: &[Envelope]) -> HashMap<UserId, String> {
    let mut newest: HashMap<UserId, (time::OffsetDateTime, String)> = HashMap::new();
    for e in envelopes {
        if let Actor::User {
            id,
            name: Some(name),
        } = &e.actor
        {
            let entry = newest.entry(*id).or_insert((e.occurred_at, name.clone()));
            if entry.0 < e.occurred_at {
                *entry = (e.occurred_at, name.clone());
            }
        }
    }
    newest
        .into_iter()
        .map(|(id, (_, name))| (id, name))
        .collect()
}

/// Projects `envelopes`: projector-sync in order, then projector-async a chat at a time,
/// the last chat first, every event twice.
async fn project(rows: &impl RowStore, messages: &impl MessageStore, envelopes: &[Envelope]) {
    for e in envelopes {
        deliver(rows, messages, Projector::Sync, e).await;
    }
    let mut by_chat: BTreeMap<ChatId, Vec<&Envelope>> = BTreeMap::new();
    for e in envelopes {
        by_chat.entry(e.chat_id).or_default().push(e);
    }
    for events in by_chat.values().rev() {
        for e in events {
            for _ in 0..2 {
                assert!(deliver(rows, messages, Projector::Async, e).await);
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_user_is_named_by_their_newest_event_whatever_the_order() {
    let envelopes = named(workload(6, 1_500, 21));
    let expected = newest_names(&envelopes);
    assert_eq!(expected.len(), 3, "three people");
    let users: Vec<UserId> = expected.keys().copied().collect();

    let db = fresh_database().await;
    let pg = PgReadModels::new(db.pool);
    // The CQL side plays no part in the directory: the memory store stands in for it.
    let cql = MemoryReadModels::default();
    project(&pg, &cql, &envelopes).await;
    assert_eq!(pg.names(&users).await.expect("names"), expected);

    let memory = MemoryReadModels::default();
    project(&memory, &memory, &envelopes).await;
    assert_eq!(memory.names(&users).await.expect("names"), expected);
}
