//! The gateway's Prometheus series (HTTP request series come from chat-runtime; consumed
//! events and lag from chat-kafka).

use std::sync::LazyLock;

use chat_runtime::metrics::{counter, gauge};
use prometheus::{IntCounter, IntGauge};

/// WebSocket connections open now.
pub static CONNECTIONS: LazyLock<IntGauge> =
    LazyLock::new(|| gauge("wse_connections", "WebSocket connections open now."));

/// Chat events routed to connections.
pub static EVENTS_ROUTED: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "wse_events_routed_total",
        "Chat events routed to WebSocket connections.",
    )
});

/// Clients cut off because they did not read fast enough.
pub static DROPPED_CLIENTS: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "wse_dropped_clients_total",
        "Connections closed because their client read too slowly (invited to resume).",
    )
});
