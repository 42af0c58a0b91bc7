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

/// Chat messages too long for one Telegram message, posted in parts, by operation
/// (`send`; `edit` when an edit's text needs more than one part).
pub static SPLIT_MESSAGES: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "telegram_split_messages_total",
        "Chat messages too long for one Telegram message, mirrored in parts, by operation \
         (send, edit).",
        &["operation"],
    )
});

/// The parts such messages took, by operation.
pub static SPLIT_PARTS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "telegram_split_parts_total",
        "Telegram messages that carry the parts of split chat messages, by operation \
         (send, edit).",
        &["operation"],
    )
});

/// Telegram updates command-api refused for good (4xx), by update and HTTP status.
pub static INBOUND_REFUSED: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "telegram_inbound_refused_total",
        "Telegram updates command-api refused for good (logged and skipped), by update \
         (message, edit, delete) and HTTP status.",
        &["update", "status"],
    )
});
