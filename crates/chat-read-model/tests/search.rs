//! The messages' texts against the real PostgreSQL: after any redelivery, and after a
//! rebuild, the search holds exactly the live text of every message of every chat that
//! still exists, and the edit history exactly their edits, as the events say; and the
//! search finds by it.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use chat_domain::{ChatEvent, ChatId, Envelope, MessageId};
use chat_read_model::cql::CqlReadModels;
use chat_read_model::pg::PgReadModels;
use chat_read_model::search::{MessageSearchQuery, SearchScope};
use chat_read_model::testing::workload;
use chat_read_model::{MessageStore, Projector, RowStore, SearchQueries};
use chat_runtime::connect;
use chat_test_kit::cql::migrate_keyspace;
use chat_test_kit::pg::fresh_database;
use chat_test_kit::{cql_config, unique_name};
use uuid::Uuid;

use support::{async_far_ahead, chats, deliver};

type Texts = BTreeMap<(Uuid, Uuid), String>;

/// Each message's live text, folded from the events.
fn live_texts(envelopes: &[Envelope]) -> Texts {
    let mut texts = Texts::new();
    for e in envelopes {
        let chat = e.chat_id.as_uuid();
        match &e.payload {
            ChatEvent::MessageSent(m) => {
                texts.insert((chat, m.message_id.as_uuid()), m.content.clone());
            }
            ChatEvent::TelegramMessageReceived(m) => {
                texts.insert((chat, m.message_id.as_uuid()), m.content.clone());
            }
            ChatEvent::MessageEdited(m) => {
                texts.insert((chat, m.message_id.as_uuid()), m.content.clone());
            }
            ChatEvent::MessageDeleted(m) => {
                texts.remove(&(chat, m.message_id.as_uuid()));
            }
            ChatEvent::ChatHardDeleted(_) => texts.retain(|(c, _), _| *c != chat),
            _ => {}
        }
    }
    texts
}

type Edits = BTreeSet<(Uuid, Uuid, i64)>;

/// The edits of the live messages, folded from the events.
fn live_edits(envelopes: &[Envelope]) -> Edits {
    let mut edits = Edits::new();
    for e in envelopes {
        let chat = e.chat_id.as_uuid();
        match &e.payload {
            ChatEvent::MessageEdited(m) => {
                let version = i64::try_from(e.version).expect("small");
                edits.insert((chat, m.message_id.as_uuid(), version));
            }
            ChatEvent::MessageDeleted(m) => {
                edits.retain(|(c, id, _)| (*c, *id) != (chat, m.message_id.as_uuid()));
            }
            ChatEvent::ChatHardDeleted(_) => edits.retain(|(c, ..)| *c != chat),
            _ => {}
        }
    }
    edits
}

async fn kept_edits(pg: &PgReadModels) -> Edits {
    sqlx::query_as("SELECT chat_id, message_id, version FROM message_edits")
        .fetch_all(pg.pool())
        .await
        .expect("read the edits")
        .into_iter()
        .collect()
}

async fn indexed(pg: &PgReadModels) -> Texts {
    let rows: Vec<(Uuid, Uuid, String)> =
        sqlx::query_as("SELECT chat_id, message_id, content FROM message_search")
            .fetch_all(pg.pool())
            .await
            .expect("read the index");
    rows.into_iter().map(|(c, m, t)| ((c, m), t)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_texts_are_the_live_ones_after_redeliveries_and_a_rebuild() {
    let envelopes = workload(6, 1_500, 11);
    let expected = live_texts(&envelopes);
    let edits = live_edits(&envelopes);
    assert!(expected.len() > 100 && edits.len() > 10, "a real workload");
    assert!(
        envelopes
            .iter()
            .any(|e| matches!(e.payload, ChatEvent::MessageEdited(_)))
            && envelopes
                .iter()
                .any(|e| matches!(e.payload, ChatEvent::MessageDeleted(_))),
        "edits and deletes"
    );

    let db = fresh_database().await;
    let keyspace = unique_name("test");
    let cql = cql_config(&keyspace);
    migrate_keyspace(&cql, &keyspace).await.expect("keyspace");
    let session = std::sync::Arc::new(connect::cql(&cql).await.expect("CQL answers"));
    let messages = CqlReadModels::new(session, &keyspace)
        .await
        .expect("prepared");
    let pg = PgReadModels::new(db.pool);

    async_far_ahead(&pg, &messages, &envelopes, 2).await;
    assert_eq!(indexed(&pg).await, expected, "after redeliveries");
    assert_eq!(kept_edits(&pg).await, edits, "edits after redeliveries");

    // Searching one message's words finds it, and within its chat only.
    let ((chat, message), text) = expected.iter().next().expect("a message");
    let query = MessageSearchQuery {
        text: text.clone(),
        scope: SearchScope::Chat(ChatId::from_uuid(*chat)),
        after: None,
        limit: 50,
    };
    let hits = pg.search_messages(&query).await.expect("search").hits;
    assert!(
        hits.iter()
            .any(|h| h.message_id == MessageId::from_uuid(*message))
    );
    assert!(hits.iter().all(|h| h.chat_id.as_uuid() == *chat));
    let elsewhere = chats(&envelopes)
        .into_iter()
        .find(|c| c.as_uuid() != *chat)
        .expect("another chat");
    let hits = pg
        .search_messages(&MessageSearchQuery {
            scope: SearchScope::Chat(elsewhere),
            ..query
        })
        .await
        .expect("search")
        .hits;
    assert!(hits.iter().all(|h| h.chat_id == elsewhere));

    // A rebuild empties the index with the other read models and replays it.
    assert!(
        pg.reset_once("search-rebuild", messages.truncate())
            .await
            .expect("reset")
    );
    assert!(indexed(&pg).await.is_empty() && kept_edits(&pg).await.is_empty());
    for e in &envelopes {
        deliver(&pg, &messages, Projector::Sync, e).await;
        deliver(&pg, &messages, Projector::Async, e).await;
    }
    assert_eq!(indexed(&pg).await, expected, "after the rebuild");
    assert_eq!(kept_edits(&pg).await, edits, "edits after the rebuild");
}
