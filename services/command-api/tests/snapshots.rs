//! Snapshots against the real PostgreSQL store: a long-lived chat loads from its latest
//! snapshot plus the events after it, to the same state as a full replay; a snapshot that
//! no longer decodes is ignored, not fatal.

mod support;

use chat_domain::{Aggregate, Chat, ChatEvent};
use chat_test_kit::pg::fresh_database;
use command_api::adapters::pg::PgEventStore;
use command_api::ports::EventStore;
use sqlx::types::Json;
use support::{chat_with_messages, new_chat, pg_service, user};

#[tokio::test]
async fn a_chat_loads_the_same_from_its_snapshot_as_from_its_history() {
    let db = fresh_database().await;
    let store = PgEventStore::new(db.pool.clone());
    let service = pg_service(&db.pool, 10);
    let owner = user();
    let chat = new_chat();
    chat_with_messages(&service, &owner, chat, 25).await;

    // Versions 1..=27; the last multiple of 10 crossed was 20.
    let snapshot_version: i64 =
        sqlx::query_scalar("SELECT version FROM snapshots WHERE chat_id = $1")
            .bind(chat.as_uuid())
            .fetch_one(&db.pool)
            .await
            .expect("a snapshot was taken");
    assert_eq!(snapshot_version, 20);

    let history: Vec<Json<ChatEvent>> = sqlx::query_scalar(
        "SELECT envelope->'payload' FROM events WHERE chat_id = $1 ORDER BY version",
    )
    .bind(chat.as_uuid())
    .fetch_all(&db.pool)
    .await
    .expect("history");
    let replayed = Chat::replay(history.iter().map(|Json(e)| e));
    assert_eq!(store.load(chat).await.expect("load"), replayed);
    assert_eq!(replayed.version(), 27);

    sqlx::query(
        "UPDATE snapshots SET state = '{\"shape\": \"from an older release\"}' WHERE chat_id = $1",
    )
    .bind(chat.as_uuid())
    .execute(&db.pool)
    .await
    .expect("break the snapshot");
    assert_eq!(store.load(chat).await.expect("load ignores it"), replayed);
}

#[tokio::test]
async fn a_snapshot_from_before_the_message_index_still_loads() {
    let db = fresh_database().await;
    let store = PgEventStore::new(db.pool.clone());
    let service = pg_service(&db.pool, 10);
    let owner = user();
    let chat = new_chat();
    chat_with_messages(&service, &owner, chat, 12).await;
    let expected = store.load(chat).await.expect("load");

    // Earlier releases kept every message in the state: the snapshot holds the maps.
    sqlx::query(
        "UPDATE snapshots SET state = jsonb_set(state, '{Active}', state->'Active' || \
         '{\"messages\": {\"00000001-0000-11ef-8000-020000000001\": {\"position\": 5, \
         \"author\": {\"User\": \"00000000-0000-0000-0000-000000000001\"}, \"content\": \"m\"}}, \
         \"order\": {\"5\": \"00000001-0000-11ef-8000-020000000001\"}, \
         \"telegram_messages\": []}'::jsonb) WHERE chat_id = $1",
    )
    .bind(chat.as_uuid())
    .execute(&db.pool)
    .await
    .expect("an old-shaped snapshot");
    let old_shape: bool =
        sqlx::query_scalar("SELECT state->'Active' ? 'messages' FROM snapshots WHERE chat_id = $1")
            .bind(chat.as_uuid())
            .fetch_one(&db.pool)
            .await
            .expect("snapshot");
    assert!(old_shape);
    assert_eq!(store.load(chat).await.expect("loads"), expected);
}
