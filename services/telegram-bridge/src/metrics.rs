//! The bridge's Prometheus series (consumed events and lag come from chat-kafka).

use std::sync::LazyLock;

use chat_runtime::metrics::counter_vec;
use prometheus::IntCounterVec;

/// Calls to Telegram that ended, by operation (`send`, `edit`, `delete`) and outcome.
pub static TELEGRAM_CALLS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "telegram_calls_total",
        "Calls to Telegram by operation (send, edit, delete) and outcome (ok, error).",
        &["operation", "outcome"],
    )
});

/// Flood waits Telegram imposed, by operation.
pub static FLOOD_WAITS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "telegram_flood_waits_total",
        "Flood waits Telegram imposed (each waited out, then retried), by operation.",
        &["operation"],
    )
});
