//! What this machine's PostgreSQL does with our driver alone: one-row transactions (the
//! commit rate a one-command-per-transaction write path is bounded by) and batched
//! inserts (the row rate a write path that commits many commands at once could reach).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chat_runtime::config::PgConfig;
use chat_runtime::connect;
use sqlx::PgPool;
use uuid::Uuid;

use super::load::{Throughput, run};

/// Rows per transaction of the batched-insert baseline.
pub const BATCH_ROWS: usize = 500;

const TABLE: &str = "CREATE TABLE IF NOT EXISTS bench_rows (id UUID PRIMARY KEY, \
     body JSONB NOT NULL, at TIMESTAMPTZ NOT NULL DEFAULT now())";

/// Single-row transactions per second (`BEGIN; INSERT; COMMIT`) on a pool of
/// `concurrency` connections, into a table of a fresh database.
///
/// # Errors
/// When the table cannot be created.
pub async fn transactions(
    cfg: &PgConfig,
    payload: String,
    duration: Duration,
    concurrency: usize,
) -> anyhow::Result<Throughput> {
    let payload = Arc::new(serde_json::json!({ "payload": payload }));
    on_bench_table(cfg, duration, concurrency, move |pool| {
        let payload = Arc::clone(&payload);
        async move {
            let mut tx = pool.begin().await?;
            sqlx::query("INSERT INTO bench_rows (id, body) VALUES ($1, $2)")
                .bind(Uuid::now_v7())
                .bind(sqlx::types::Json(payload.as_ref()))
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        }
    })
    .await
}

/// Transactions of [`BATCH_ROWS`] rows each (`BEGIN; INSERT ... SELECT FROM unnest(ids,
/// bodies); COMMIT`) on a pool of `concurrency` connections, into a table of a fresh
/// database. Rows per second are its transactions per second times [`BATCH_ROWS`].
///
/// # Errors
/// When the table cannot be created.
pub async fn batched_inserts(
    cfg: &PgConfig,
    payload: String,
    duration: Duration,
    concurrency: usize,
) -> anyhow::Result<Throughput> {
    let body = serde_json::json!({ "payload": payload }).to_string();
    let bodies = Arc::new(vec![body; BATCH_ROWS]);
    on_bench_table(cfg, duration, concurrency, move |pool| {
        let bodies = Arc::clone(&bodies);
        async move {
            let ids: Vec<Uuid> = (0..BATCH_ROWS).map(|_| Uuid::now_v7()).collect();
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO bench_rows (id, body) \
                 SELECT id, body::jsonb FROM unnest($1::uuid[], $2::text[]) AS b (id, body)",
            )
            .bind(ids)
            .bind(bodies.as_slice())
            .execute(&mut *tx)
            .await?;
            tx.commit().await
        }
    })
    .await
}

/// Runs `op` from `concurrency` workers for `duration` against a `bench_rows` table made
/// for the run and dropped after it.
async fn on_bench_table<F, Fut>(
    cfg: &PgConfig,
    duration: Duration,
    concurrency: usize,
    op: F,
) -> anyhow::Result<Throughput>
where
    F: Fn(PgPool) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), sqlx::Error>> + Send,
{
    let pool = connect::postgres(cfg).await?;
    sqlx::query(TABLE).execute(&pool).await?;
    let worker_pool = pool.clone();
    let result = run(duration, concurrency, move |_| op(worker_pool.clone())).await;
    sqlx::query("DROP TABLE bench_rows").execute(&pool).await?;
    Ok(result)
}
