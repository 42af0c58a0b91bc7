//! The baselines phase: each raw server driven alone, as the figures that the end-to-end
//! ones are compared with.

use std::time::Duration;

use super::report::Figure;
use super::stats::Latencies;
use super::{CONCURRENCY, baselines, postgres};
use chat_test_kit::{cql_config, kafka::fresh_topic, pg::fresh_database, unique_name};

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
    let mut figures = vec![Figure::new(
        "raw Kafka produce",
        kafka.per_second(),
        "records/s",
        None,
        "rdkafka idempotent producer, acks=all, 640 B records, 128 in flight",
    )];
    figures.extend(p50_p99(
        "raw Kafka produce",
        &kafka.latencies,
        "produce until acknowledged",
    ));
    figures.push(Figure::new(
        "raw CQL insert",
        cql.per_second(),
        "rows/s",
        None,
        "scylla driver, prepared INSERT of a message-shaped row, 16 in flight",
    ));
    figures.extend(p50_p99(
        "raw CQL page read",
        &cql_reads.latencies,
        "prepared SELECT of 50 rows newest first",
    ));
    figures.push(Figure::new(
        PG_TX,
        pg.per_second(),
        "tx/s",
        None,
        "sqlx BEGIN; INSERT; COMMIT on 16 connections",
    ));
    figures.extend(p50_p99(PG_TX, &pg.latencies, "one transaction"));
    figures.push(Figure::new(
        PG_BATCHED,
        batched.per_second() * postgres::BATCH_ROWS as f64,
        "rows/s",
        None,
        &format!(
            "sqlx BEGIN; INSERT ... SELECT FROM unnest of {} rows (640 B JSONB each); COMMIT on {BATCH_WRITERS} connections",
            postgres::BATCH_ROWS
        ),
    ));
    figures.push(Figure::new(
        "raw PostgreSQL batched insert tx p99",
        batched.latencies.percentile_ms(99.0),
        "ms",
        None,
        &format!("one transaction of {} rows", postgres::BATCH_ROWS),
    ));
    Ok(figures)
}

/// `<name> p50` and `<name> p99` in milliseconds.
fn p50_p99(name: &str, latencies: &Latencies, how: &str) -> [Figure; 2] {
    [50.0, 99.0].map(|p| {
        Figure::new(
            &format!("{name} p{p}"),
            latencies.percentile_ms(p),
            "ms",
            None,
            how,
        )
    })
}
