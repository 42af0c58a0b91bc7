//! The PostgreSQL event store against the real server: group commit (one transaction
//! for many chats, each decision answered on its own) and a message index that answers as
//! the domain's in-memory one does, also when the migration built it from old events.

mod support;

use chat_domain::chat::facts::UnreadQuery;
use chat_domain::testing::fixtures::{
    ALICE, BOB, CAROL, CHAT, DAVE, EVE, History, TG_GROUP, by, delete, edit, link, msg, read,
    send as send_command, telegram,
};
use chat_domain::{ChatEvent, ChatId, Envelope, EnvelopeMeta, FactsQuery, MessageLog};
use chat_test_kit::pg::fresh_database;
use command_api::adapters::pg::PgEventStore;
use command_api::ports::{EventStore, IdempotencyClaim, NewEvents, StoreError};
use uuid::Uuid;

fn envelopes(events: Vec<ChatEvent>) -> Vec<Envelope> {
    let meta = EnvelopeMeta {
        actor: by(ALICE),
        correlation_id: Uuid::new_v4(),
        causation_id: None,
    };
    Envelope::wrap_all(events, &meta)
}

fn decision(chat_id: ChatId, expected_version: u64, events: Vec<Envelope>) -> NewEvents {
    NewEvents {
        chat_id,
        expected_version,
        envelopes: events,
        trace_context: vec![],
        idempotency: None,
        snapshot: None,
    }
}

/// `history`'s envelopes under another chat id than the fixtures'.
fn as_chat(chat_id: ChatId, history: History) -> Vec<Envelope> {
    let json = serde_json::to_string(&history.events())
        .expect("serialises")
        .replace(&CHAT.to_string(), &chat_id.to_string());
    envelopes(serde_json::from_str(&json).expect("deserialises"))
}

/// A group chat's creation (versions 1..=5).
fn group_as(chat_id: ChatId) -> Vec<Envelope> {
    as_chat(chat_id, History::group())
}

/// ALICE's message at version 6 of the group chat.
fn message_as(chat_id: ChatId) -> Vec<Envelope> {
    let sent = History::group().run(send_command(ALICE, msg(1), "hi"));
    as_chat(chat_id, sent).split_off(5)
}

async fn count(pool: &sqlx::PgPool, table: &str, chat: ChatId) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT count(*) FROM {table} WHERE chat_id = $1"
    )))
    .bind(chat.as_uuid())
    .fetch_one(pool)
    .await
    .expect("count")
}

#[tokio::test]
async fn one_transaction_stores_many_chats_and_fails_only_the_decisions_that_lost() {
    let db = fresh_database().await;
    let store = PgEventStore::new(db.pool.clone());
    let chats: Vec<ChatId> = (0..4).map(|_| ChatId::from_uuid(Uuid::now_v7())).collect();
    let created = store
        .append_batch(
            &chats
                .iter()
                .map(|c| decision(*c, 0, group_as(*c)))
                .collect::<Vec<_>>(),
        )
        .await;
    assert!(created.iter().all(Result::is_ok), "{created:?}");

    let claimed = |chat_id| {
        let mut new = decision(chat_id, 5, message_as(chat_id));
        new.idempotency = Some(IdempotencyClaim {
            user_id: ALICE,
            key: "same key".into(),
            chat_id,
            message_id: msg(1),
        });
        new
    };
    let answers = store
        .append_batch(&[
            claimed(chats[0]),
            // Decided at version 2 of a chat now at 5: it lost the race.
            decision(chats[1], 2, group_as(chats[1]).split_off(2)),
            // The same user's key, already claimed by the first decision.
            claimed(chats[2]),
            decision(chats[3], 5, message_as(chats[3])),
        ])
        .await;
    assert!(answers[0].is_ok(), "{answers:?}");
    assert!(matches!(answers[1], Err(StoreError::VersionConflict(c)) if c == chats[1]));
    assert!(
        matches!(answers[2], Err(StoreError::IdempotencyKeyTaken)),
        "{answers:?}"
    );
    assert!(answers[3].is_ok(), "{answers:?}");
    let stored = [6, 5, 5, 6];
    for (chat, expected) in chats.iter().zip(stored) {
        assert_eq!(count(&db.pool, "events", *chat).await, expected);
        assert_eq!(count(&db.pool, "outbox", *chat).await, expected);
        assert_eq!(count(&db.pool, "message_index", *chat).await, expected - 5);
    }
}

#[tokio::test]
async fn a_decision_postgresql_refuses_fails_alone() {
    let db = fresh_database().await;
    let store = PgEventStore::new(db.pool.clone());
    let (good, bad) = (
        ChatId::from_uuid(Uuid::now_v7()),
        ChatId::from_uuid(Uuid::now_v7()),
    );
    let mut refused = group_as(bad);
    // jsonb refuses U+0000: the whole batch's statement fails.
    refused[0].event_type = "chat_created\u{0}".into();
    let answers = store
        .append_batch(&[decision(good, 0, group_as(good)), decision(bad, 0, refused)])
        .await;
    assert!(answers[0].is_ok(), "{answers:?}");
    assert!(matches!(answers[1], Err(StoreError::Unavailable(_))));
    assert_eq!(count(&db.pool, "events", good).await, 5);
    assert_eq!(count(&db.pool, "events", bad).await, 0);
}

/// A chat with every kind of message change, stored one decision per event.
async fn busy_chat(store: &PgEventStore) -> (chat_domain::ChatState, Vec<ChatEvent>) {
    let history = History::group()
        .run(link(ALICE, None))
        .run(send_command(BOB, msg(1), "one"))
        .run(send_command(CAROL, msg(2), "two"))
        .run(telegram(msg(3), 77, "from telegram"))
        .run(edit(by(BOB), msg(1), "one, edited"))
        .run(read(ALICE, msg(1)))
        .run(send_command(ALICE, msg(4), "four"))
        .run(delete(by(ALICE), msg(2)))
        .run(send_command(BOB, msg(5), "five"))
        .run(edit(by(BOB), msg(5), "five, edited"))
        .run(edit(by(BOB), msg(5), "five, edited twice"));
    let state = history.state().clone();
    let events = history.events();
    for (n, event) in events.iter().enumerate() {
        let answer = store
            .append(decision(CHAT, n as u64, envelopes(vec![event.clone()])))
            .await;
        assert!(answer.is_ok(), "event {n}: {answer:?}");
    }
    (state, events)
}

/// Every query a command could ask of `CHAT` answers from `store` as from `log`.
async fn assert_answers_as(store: &PgEventStore, log: &MessageLog, state: &chat_domain::ChatState) {
    let all: Vec<_> = (0..=6).map(msg).collect();
    let named = FactsQuery {
        messages: all.clone(),
        telegram_message: Some((TG_GROUP, 77)),
        unread: None,
    };
    assert_eq!(
        store.facts(CHAT, &named).await.expect("facts"),
        log.answer(&named)
    );
    let unknown = FactsQuery {
        telegram_message: Some((TG_GROUP, 78)),
        ..named
    };
    assert_eq!(
        store.facts(CHAT, &unknown).await.expect("facts"),
        log.answer(&unknown)
    );
    for reader in [ALICE, BOB, CAROL, DAVE, EVE] {
        let Some(since) = state.data().and_then(|d| d.read_floor(reader)) else {
            continue;
        };
        for up_to in &all {
            let query = FactsQuery {
                messages: vec![*up_to],
                telegram_message: None,
                unread: Some(UnreadQuery {
                    reader,
                    since,
                    up_to: *up_to,
                }),
            };
            assert_eq!(
                store.facts(CHAT, &query).await.expect("facts"),
                log.answer(&query),
                "reader {reader}, up to {up_to}"
            );
        }
    }
}

#[tokio::test]
async fn the_message_index_answers_as_the_in_memory_log_does() {
    let db = fresh_database().await;
    let store = PgEventStore::new(db.pool.clone());
    let (state, events) = busy_chat(&store).await;
    assert_answers_as(&store, &MessageLog::of(&events), &state).await;
}

#[tokio::test]
async fn the_migration_builds_the_index_of_chats_stored_before_it() {
    let db = fresh_database().await;
    let store = PgEventStore::new(db.pool.clone());
    let (state, events) = busy_chat(&store).await;
    sqlx::query("DELETE FROM message_index")
        .execute(&db.pool)
        .await
        .expect("as before the index existed");
    let migration = include_str!("../../../migrations/0006_message_index.sql");
    sqlx::raw_sql(sqlx::AssertSqlSafe(migration))
        .execute(&db.pool)
        .await
        .expect("the migration runs again");
    assert_answers_as(&store, &MessageLog::of(&events), &state).await;
}
