//! The baselines phase: each raw server driven alone, as the figures that the end-to-end
//! ones are compared with.

use std::time::Duration;

use super::report::Figure;
use super::{CONCURRENCY, baselines, postgres};
use crate::{cql_config, kafka::fresh_topic, pg::fresh_database, unique_name};

/// Names of the PostgreSQL baselines the capacity figures are divided by.
pub const PG_TX: &str = "raw PostgreSQL 1-row tx";
/// See [`PG_TX`].
pub const PG_BATCHED: &str = "raw PostgreSQL batched insert";

/// Connections of the batched-insert baseline: a few writers, as a group commit has.
const BATCH_WRITERS: usize = 4;

/// Measures Kafka, CQL and PostgreSQL for `duration` each.
///
/// # Errors
/// When a server cannot be set up for its baseline.
pub async fn measure(duration: Duration) -> anyhow::Result<Vec<Figure>> {
    // A typical event envelope's size, so raw records match what the system carries.
    let payload = "x".repeat(640);
    eprintln!("baselines: Kafka produce");
    let kafka = baselines::kafka_produce(
        &fresh_topic("bench", 3).await,
        payload.clone(),
        duration,
        CONCURRENCY * 8,
    )
    .await?;
    eprintln!("baselines: CQL insert and page reads");
    let keyspace = unique_name("bench");
    let (cql, cql_reads) = baselines::cql_insert(
        &cql_config(&keyspace),
        payload.clone(),
        duration,
        CONCURRENCY,
    )
    .await?;
    eprintln!("baselines: PostgreSQL transactions");
    let db = fresh_database().await;
    let pg = postgres::transactions(&db.config, payload.clone(), duration, CONCURRENCY).await?;
    eprintln!("baselines: PostgreSQL batched inserts");
    let batched = postgres::batched_inserts(&db.config, payload, duration, BATCH_WRITERS).await?;
    let ms = |name: &str, value: f64, how: &str| Figure::new(name, value, "ms", None, how);
    Ok(vec![
        Figure::new(
            "raw Kafka produce",
            kafka.per_second(),
            "records/s",
            None,
            "rdkafka idempotent producer, acks=all, 640 B records, 128 in flight",
        ),
        ms(
            "raw Kafka produce p50",
            kafka.latencies.percentile_ms(50.0),
            "produce until acknowledged",
        ),
        ms(
            "raw Kafka produce p99",
            kafka.latencies.percentile_ms(99.0),
            "produce until acknowledged",
        ),
        Figure::new(
            "raw CQL insert",
            cql.per_second(),
            "rows/s",
            None,
            "scylla driver, prepared INSERT of a message-shaped row, 16 in flight",
        ),
        ms(
            "raw CQL page read p50",
            cql_reads.latencies.percentile_ms(50.0),
            "prepared SELECT of 50 rows newest first",
        ),
        ms(
            "raw CQL page read p99",
            cql_reads.latencies.percentile_ms(99.0),
            "prepared SELECT of 50 rows newest first",
        ),
        Figure::new(
            PG_TX,
            pg.per_second(),
            "tx/s",
            None,
            "sqlx BEGIN; INSERT; COMMIT on 16 connections",
        ),
        ms(
            "raw PostgreSQL 1-row tx p50",
            pg.latencies.percentile_ms(50.0),
            "one transaction",
        ),
        ms(
            "raw PostgreSQL 1-row tx p99",
            pg.latencies.percentile_ms(99.0),
            "one transaction",
        ),
        Figure::new(
            PG_BATCHED,
            batched.per_second() * postgres::BATCH_ROWS as f64,
            "rows/s",
            None,
            &format!(
                "sqlx BEGIN; INSERT ... SELECT FROM unnest of {} rows (640 B JSONB each); COMMIT on {BATCH_WRITERS} connections",
                postgres::BATCH_ROWS
            ),
        ),
        ms(
            "raw PostgreSQL batched insert tx p99",
            batched.latencies.percentile_ms(99.0),
            &format!("one transaction of {} rows", postgres::BATCH_ROWS),
        ),
    ])
}
