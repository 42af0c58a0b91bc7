//! The user directory against the real PostgreSQL (and the memory adapter): whichever
//! order the chats are projected in (projector-async runs partitions side by side) and
//! however often an event comes again, each user's name is the one their newest event
//! carried; each Telegram author's, the one their newest mirrored message carried.

mod support;

use std::collections::{BTreeMap, HashMap};

use chat_domain::{Actor, ChatEvent, ChatId, Envelope, UserId};
use chat_read_model::memory::MemoryReadModels;
use chat_read_model::person::Person;
use chat_read_model::pg::PgReadModels;
use chat_read_model::testing::workload;
use chat_read_model::{ChatQueries, MessageStore, Projector, RowStore};
use chat_test_kit::pg::fresh_database;
use uuid::Uuid;

use support::deliver;

/// `envelopes` with every user actor one of three people who act in every chat, and
/// every Telegram author one of two, each named after the time of the event.
fn named(envelopes: Vec<Envelope>) -> Vec<Envelope> {
    envelopes
        .into_iter()
        .map(|mut e| {
            let at = e.occurred_at.unix_timestamp();
            if let Actor::User { id, .. } = e.actor {
                let person = UserId::from_uuid(Uuid::from_u128(id.as_uuid().as_u128() % 3 + 1));
                e.actor = Actor::named_user(person, format!("{person} at {at}"));
            }
            if let ChatEvent::TelegramMessageReceived(m) = &mut e.payload {
                m.telegram_user_id = 100 + m.telegram_message_id % 2;
                m.sender_name = format!("author {} at {}", m.telegram_user_id, m.created_at);
            }
            e
        })
        .collect()
}

/// Whom `e` names, when, and how.
fn naming(e: &Envelope) -> Option<(Person, time::OffsetDateTime, String)> {
    match (&e.actor, &e.payload) {
        (_, ChatEvent::TelegramMessageReceived(m)) => Some((
            Person::Telegram(m.telegram_user_id),
            m.created_at,
            m.sender_name.clone(),
        )),
        (
            Actor::User {
                id,
                name: Some(name),
            },
            _,
        ) => Some((Person::User(*id), e.occurred_at, name.clone())),
        _ => None,
    }
}

/// Each person's name as of their newest event.
fn newest_names(envelopes: &[Envelope]) -> HashMap<Person, String> {
    let mut newest: HashMap<Person, (time::OffsetDateTime, String)> = HashMap::new();
    for (person, at, name) in envelopes.iter().filter_map(naming) {
        let entry = newest.entry(person).or_insert((at, name.clone()));
        if entry.0 < at {
            *entry = (at, name);
        }
    }
    newest
        .into_iter()
        .map(|(person, (_, name))| (person, name))
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
async fn each_person_is_named_by_their_newest_event_whatever_the_order() {
    let envelopes = named(workload(6, 1_500, 21));
    let expected = newest_names(&envelopes);
    assert_eq!(expected.len(), 5, "three users and two Telegram authors");
    let users: Vec<Person> = expected.keys().copied().collect();

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
