//! The gateway's Prometheus series (HTTP request series come from chat-runtime; consumed
//! events and lag from chat-kafka).

use std::sync::LazyLock;

use chat_runtime::metrics::{counter_vec, gauge_vec};
use prometheus::{IntCounter, IntGauge};

/// WebSocket connections open now.
pub static CONNECTIONS: LazyLock<IntGauge> = LazyLock::new(|| {
    gauge_vec("wse_connections", "WebSocket connections open now.", &[])
        .with_label_values::<&str>(&[])
});

/// Chat events routed to connections.
pub static EVENTS_ROUTED: LazyLock<IntCounter> = LazyLock::new(|| {
    counter_vec(
        "wse_events_routed_total",
        "Chat events routed to WebSocket connections.",
        &[],
    )
    .with_label_values::<&str>(&[])
});

/// Clients cut off because they did not read fast enough.
pub static DROPPED_CLIENTS: LazyLock<IntCounter> = LazyLock::new(|| {
    counter_vec(
        "wse_dropped_clients_total",
        "Connections closed because their client read too slowly (invited to resume).",
        &[],
    )
    .with_label_values::<&str>(&[])
});
