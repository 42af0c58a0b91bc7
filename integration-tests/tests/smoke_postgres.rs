//! sqlx against the real PostgreSQL: a fresh database, the project's migrations applied
//! twice (they are re-runnable), and a round trip through the event store table.

use chat_migrate::postgres;
use chat_runtime::connect;
use chat_test_kit::pg::with_database;
use chat_test_kit::{pg_config, unique_name};
use sqlx::Row;

#[tokio::test]
async fn migrations_apply_twice_and_the_event_store_round_trips() {
    let admin = connect::postgres(&pg_config())
        .await
        .expect("PostgreSQL answers");
    let db = unique_name("test");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
        .execute(&admin)
        .await
        .expect("create the test database");

    let mut cfg = pg_config();
    cfg.url = with_database(&cfg.url, &db);
    let pool = connect::postgres(&cfg)
        .await
        .expect("connect to the test database");
    postgres::apply(&pool).await.expect("first migration run");
    postgres::apply(&pool)
        .await
        .expect("second migration run is a no-op");

    let chat_id = uuid::Uuid::new_v4();
    let event_id = uuid::Uuid::new_v4();
    sqlx::query(
        "INSERT INTO events (chat_id, version, event_id, event_type, envelope) \
         VALUES ($1, 1, $2, 'chat_created', $3)",
    )
    .bind(chat_id)
    .bind(event_id)
    .bind(sqlx::types::Json(serde_json::json!({ "chat_id": chat_id })))
    .execute(&pool)
    .await
    .expect("append an event");

    // The (chat_id, version) key is the optimistic-concurrency guard.
    let duplicate = sqlx::query(
        "INSERT INTO events (chat_id, version, event_id, event_type, envelope) \
         VALUES ($1, 1, $2, 'chat_created', '{}')",
    )
    .bind(chat_id)
    .bind(uuid::Uuid::new_v4())
    .execute(&pool)
    .await;
    assert!(duplicate.is_err(), "a second version 1 must be refused");

    let row =
        sqlx::query("SELECT event_id, envelope->>'chat_id' AS chat FROM events WHERE chat_id = $1")
            .bind(chat_id)
            .fetch_one(&pool)
            .await
            .expect("read the event back");
    assert_eq!(row.get::<uuid::Uuid, _>("event_id"), event_id);
    assert_eq!(row.get::<String, _>("chat"), chat_id.to_string());

    pool.close().await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE {db} WITH (FORCE)"
    )))
    .execute(&admin)
    .await
    .expect("drop the test database");
}
