//! chat-bench: the benchmark behind `make bench`. Measures, in one run on this machine, the
//! raw servers (baselines) and the whole system started as real processes (end to end),
//! and writes the report as markdown and JSON. It asserts nothing: it measures.

use std::time::Duration;

use integration_tests::bench::report::{Figure, Report};
use integration_tests::bench::{baselines, end_to_end};
use integration_tests::client::Api;
use integration_tests::system::System;
use integration_tests::{cql_config, kafka::fresh_topic, pg::fresh_database, unique_name};

/// Seconds each throughput phase runs (`BENCH_SECONDS`, default 15).
fn phase() -> Duration {
    let seconds = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(15);
    Duration::from_secs(seconds)
}

const CONCURRENCY: usize = 16;

fn figure(name: &str, value: f64, unit: &str, baseline: Option<&str>, how: &str) -> Figure {
    Figure {
        name: name.into(),
        value,
        unit: unit.into(),
        baseline: baseline.map(Into::into),
        ratio: None,
        how: how.into(),
    }
}

fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_owned())
        })
        .and_then(|kib| kib.parse::<u64>().ok())
        .map_or_else(String::new, |kib| format!("{} GiB", kib / 1024 / 1024));
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!("Linux {} · {cores} cores · {memory}", kernel.trim())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let duration = phase();
    // A typical event envelope's size, so raw records match what the system carries.
    let payload = "x".repeat(640);
    let mut figures = Vec::new();

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
    let pg = baselines::pg_transactions(&db.config, payload, duration, CONCURRENCY).await?;
    figures.extend([
        figure(
            "raw Kafka produce",
            kafka.per_second(),
            "records/s",
            None,
            "rdkafka idempotent producer, acks=all, 640 B records, 128 in flight",
        ),
        figure(
            "raw Kafka produce p50",
            kafka.latencies.percentile_ms(50.0),
            "ms",
            None,
            "produce until acknowledged",
        ),
        figure(
            "raw Kafka produce p99",
            kafka.latencies.percentile_ms(99.0),
            "ms",
            None,
            "produce until acknowledged",
        ),
        figure(
            "raw CQL insert",
            cql.per_second(),
            "rows/s",
            None,
            "scylla driver, prepared INSERT of a message-shaped row, 16 in flight",
        ),
        figure(
            "raw CQL page read p50",
            cql_reads.latencies.percentile_ms(50.0),
            "ms",
            None,
            "prepared SELECT of 50 rows newest first",
        ),
        figure(
            "raw CQL page read p99",
            cql_reads.latencies.percentile_ms(99.0),
            "ms",
            None,
            "prepared SELECT of 50 rows newest first",
        ),
        figure(
            "raw PostgreSQL 1-row tx",
            pg.per_second(),
            "tx/s",
            None,
            "sqlx BEGIN; INSERT; COMMIT on 16 connections",
        ),
        figure(
            "raw PostgreSQL 1-row tx p50",
            pg.latencies.percentile_ms(50.0),
            "ms",
            None,
            "one transaction",
        ),
        figure(
            "raw PostgreSQL 1-row tx p99",
            pg.latencies.percentile_ms(99.0),
            "ms",
            None,
            "one transaction",
        ),
    ]);

    eprintln!("end to end: starting the system");
    let system = System::start().await;
    let api = Api::new(system.api());
    let ws = system.ws("wse-gateway");

    eprintln!("end to end: sustained sends");
    let sends = end_to_end::sends(&api, duration, CONCURRENCY).await?;
    eprintln!("end to end: POST to WebSocket delivery");
    let delivery = end_to_end::delivery(&api, &ws, 300).await?;
    eprintln!("end to end: history pages");
    let history = end_to_end::history_reads(&api, 500, 300).await?;
    eprintln!("end to end: fan-out to 1,000 members");
    let fan_out = end_to_end::fan_out(&api, &ws, 1000, 20).await?;
    eprintln!("end to end: 10,000 idle connections");
    let gateway_pid = system.pid("wse-gateway").unwrap_or_default();
    let (per_connection, bare_client) =
        end_to_end::idle_connection_memory(&ws, gateway_pid, 10_000).await;

    figures.extend([
        figure("accepted sends", sends.per_second(), "sends/s", Some("raw PostgreSQL 1-row tx"), "POST /messages answered 201 (stored, relayed, projected: read-your-writes), 16 clients, a chat each"),
        figure("POST latency p50", sends.latencies.percentile_ms(50.0), "ms", Some("raw PostgreSQL 1-row tx p50"), "the same POSTs"),
        figure("POST latency p99", sends.latencies.percentile_ms(99.0), "ms", Some("raw PostgreSQL 1-row tx p99"), "the same POSTs"),
        figure("POST to WebSocket p50", delivery.percentile_ms(50.0), "ms", Some("raw Kafka produce p50"), "POST sent until the other participant's socket has the event, 300 one at a time"),
        figure("POST to WebSocket p99", delivery.percentile_ms(99.0), "ms", Some("raw Kafka produce p99"), "as above"),
        figure("history page p50", history.percentile_ms(50.0), "ms", Some("raw CQL page read p50"), "GET /messages?limit=50 of a 500-message chat, 300 reads"),
        figure("history page p99", history.percentile_ms(99.0), "ms", Some("raw CQL page read p99"), "as above"),
        figure("fan-out to 1,000 members p99", fan_out.percentile_ms(99.0), "ms", Some("POST to WebSocket p99"), "POST until the last of 999 connected members has the event, 20 messages"),
        figure("memory per idle WebSocket", per_connection, "KiB", Some("bare client connection"), "gateway RSS growth over 10,000 idle connections"),
        figure("bare client connection", bare_client, "KiB", None, "the bench's own RSS growth holding the client ends (tokio-tungstenite)"),
    ]);
    if sends.failed > 0 {
        eprintln!(
            "note: {} sends were not answered 201 (202 = stored but not yet projected within the wait)",
            sends.failed
        );
    }

    let mut report = Report {
        machine: machine(),
        at: time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)?,
        figures,
    };
    report.compute_ratios();
    let markdown = report.markdown();
    std::fs::write("bench-report.md", &markdown)?;
    std::fs::write("bench-report.json", serde_json::to_string_pretty(&report)?)?;
    println!("{markdown}");
    println!("(also written to bench-report.md and bench-report.json)");
    Ok(())
}
