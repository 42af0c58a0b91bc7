//! The gateway's Prometheus series (HTTP request series come from chat-runtime; consumed
//! events and lag from chat-kafka).

use std::sync::LazyLock;

use chat_runtime::metrics::{counter, counter_vec, gauge};
use prometheus::{IntCounter, IntCounterVec, IntGauge};

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

/// Upgrades refused at a connection cap, by cap (`user` 429, `replica` 503).
pub static CONNECTIONS_REFUSED: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "wse_connections_refused_total",
        "WebSocket upgrades refused at a connection cap, by cap (user: 429, replica: 503).",
        &["cap"],
    )
});

/// Client frames refused over the connection's frame rate.
pub static FRAMES_REFUSED: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "wse_frames_refused_total",
        "Client frames refused with a rate_limited error frame (over the frame rate).",
    )
});

/// Connections closed for breaking a frame limit, by limit (`frame_rate` 4429,
/// `frame_size` 1009).
pub static LIMIT_CLOSES: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "wse_limit_closes_total",
        "Connections closed for breaking a frame limit, by limit (frame_rate: 4429, frame_size: 1009).",
        &["limit"],
    )
});
