//! command-api's own Prometheus series (HTTP request series come from chat-runtime; the
//! hops of the SYNC path it runs, `append`, `outbox_pickup`, `produce_ack` and
//! `waiter_wake`, go to [`chat_runtime::hops`]).

use std::sync::LazyLock;

use chat_runtime::metrics::{counter_vec, gauge_vec};
use prometheus::{IntCounterVec, IntGaugeVec};

/// Commands run, by command and outcome (`accepted`, `rejected`, `race_lost`,
/// `unavailable`, `failed`).
pub static COMMANDS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "chat_commands_total",
        "Commands run against the Chat aggregate, by command and outcome.",
        &["command", "outcome"],
    )
});

/// Outbox rows not yet published to Kafka (measured by the active relay).
pub static OUTBOX_BACKLOG: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    gauge_vec(
        "chat_outbox_backlog",
        "Outbox rows waiting to be published to Kafka, as the active relay last saw.",
        &["topic"],
    )
});

/// Events the relay published, by topic.
pub static PUBLISHED: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "chat_outbox_published_total",
        "Outbox rows the relay published to Kafka, by topic.",
        &["topic"],
    )
});

/// Rows command-api's housekeeping deleted, by table (`outbox`, `idempotency_keys`).
pub static SWEPT: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "chat_housekeeping_deleted_total",
        "Rows deleted by command-api's housekeeping, by table.",
        &["table"],
    )
});
