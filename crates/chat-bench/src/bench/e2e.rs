//! The end-to-end phase: the running system's figures through its public interfaces
//! (sends, POST to WebSocket, history pages, fan-out, idle connections), each beside the
//! raw figure it is compared with.

use std::time::Duration;

use super::raw::PG_TX;
use super::report::Figure;
use super::{CONCURRENCY, end_to_end};
use chat_test_kit::client::Api;
use chat_test_kit::system::System;

/// Measures the end-to-end figures on `system` (sustained sends for `duration`).
///
/// # Errors
/// When a phase cannot set up its chats.
pub async fn measure(system: &System, duration: Duration) -> anyhow::Result<Vec<Figure>> {
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
    if sends.failed > 0 {
        eprintln!(
            "note: {} sends were not answered 201 (202 = stored but not yet projected within the wait)",
            sends.failed
        );
    }
    Ok(vec![
        Figure::new(
            "accepted sends",
            sends.per_second(),
            "sends/s",
            Some(PG_TX),
            "POST /messages answered 201 (stored, relayed, projected: read-your-writes), 16 clients, a chat each",
        ),
        Figure::new(
            "POST latency p50",
            sends.latencies.percentile_ms(50.0),
            "ms",
            Some("raw PostgreSQL 1-row tx p50"),
            "the same POSTs",
        ),
        Figure::new(
            "POST latency p99",
            sends.latencies.percentile_ms(99.0),
            "ms",
            Some("raw PostgreSQL 1-row tx p99"),
            "the same POSTs",
        ),
        Figure::new(
            "POST to WebSocket p50",
            delivery.percentile_ms(50.0),
            "ms",
            Some("raw Kafka produce p50"),
            "POST sent until the other participant's socket has the event, 300 one at a time",
        ),
        Figure::new(
            "POST to WebSocket p99",
            delivery.percentile_ms(99.0),
            "ms",
            Some("raw Kafka produce p99"),
            "as above",
        ),
        Figure::new(
            "history page p50",
            history.percentile_ms(50.0),
            "ms",
            Some("raw CQL page read p50"),
            "GET /messages?limit=50 of a 500-message chat, 300 reads",
        ),
        Figure::new(
            "history page p99",
            history.percentile_ms(99.0),
            "ms",
            Some("raw CQL page read p99"),
            "as above",
        ),
        Figure::new(
            "fan-out to 1,000 members p99",
            fan_out.percentile_ms(99.0),
            "ms",
            Some("POST to WebSocket p99"),
            "POST until the last of 999 connected members has the event, 20 messages",
        ),
        Figure::new(
            "memory per idle WebSocket",
            per_connection,
            "KiB",
            Some("bare client connection"),
            "gateway RSS growth over 10,000 idle connections",
        ),
        Figure::new(
            "bare client connection",
            bare_client,
            "KiB",
            None,
            "the bench's own RSS growth holding the client ends (tokio-tungstenite)",
        ),
    ])
}
