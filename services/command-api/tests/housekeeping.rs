//! Housekeeping against the real PostgreSQL: published outbox rows and idempotency keys
//! past their retention go, everything else (unpublished rows, fresh keys, the events)
//! stays.

mod support;

use std::time::Duration;

use chat_test_kit::pg::fresh_database;
use command_api::housekeeping::{Housekeeper, Retention, Swept};
use sqlx::PgPool;
use support::{chat_with_messages, new_chat, pg_service, user};
use uuid::Uuid;

async fn count(pool: &PgPool, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(pool)
        .await
        .expect("count")
}

#[tokio::test]
async fn a_sweep_deletes_only_what_is_past_its_retention() {
    let db = fresh_database().await;
    let pool = &db.pool;
    chat_with_messages(&pg_service(pool, 100), &user(), new_chat(), 6).await;
    // Versions 1..=8 in the outbox: 1..=5 published two days ago, 6 published just now,
    // 7..=8 not published yet (Kafka away), though written two days ago.
    sqlx::query(
        "UPDATE outbox SET created_at = now() - interval '2 days', \
         published_at = CASE WHEN version <= 5 THEN now() - interval '2 days' \
                             WHEN version = 6 THEN now() END",
    )
    .execute(pool)
    .await
    .expect("age the outbox");
    for (key, age) in [
        ("old-1", "3 days"),
        ("old-2", "25 hours"),
        ("fresh", "1 hour"),
    ] {
        sqlx::query(
            "INSERT INTO idempotency_keys (user_id, idempotency_key, chat_id, message_id, created_at) \
             VALUES ($1, $2, $3, $4, now() - $5::interval)",
        )
        .bind(Uuid::now_v7())
        .bind(key)
        .bind(Uuid::now_v7())
        .bind(Uuid::now_v7())
        .bind(age)
        .execute(pool)
        .await
        .expect("a key");
    }
    let events_before = count(pool, "SELECT count(*) FROM events").await;

    let day = Duration::from_secs(24 * 3600);
    let housekeeper = Housekeeper::new(
        pool.clone(),
        Retention {
            outbox: day,
            idempotency_keys: day,
            every: Duration::from_secs(60),
        },
    );
    assert_eq!(
        housekeeper.sweep().await.expect("sweep"),
        Swept {
            outbox: 5,
            idempotency_keys: 2
        }
    );
    let left: Vec<i64> = sqlx::query_scalar("SELECT version FROM outbox ORDER BY version")
        .fetch_all(pool)
        .await
        .expect("outbox");
    assert_eq!(
        left,
        vec![6, 7, 8],
        "the recent and the unpublished rows stay"
    );
    let keys: Vec<String> = sqlx::query_scalar("SELECT idempotency_key FROM idempotency_keys")
        .fetch_all(pool)
        .await
        .expect("keys");
    assert_eq!(keys, vec!["fresh".to_owned()]);
    assert_eq!(
        count(pool, "SELECT count(*) FROM events").await,
        events_before,
        "the events are the record: never swept"
    );
    // Nothing more to do.
    assert_eq!(housekeeper.sweep().await.expect("sweep"), Swept::default());
}
