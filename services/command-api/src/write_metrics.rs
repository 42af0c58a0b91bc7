//! Prometheus series of the write path's machinery: the state cache and group commit.

use std::sync::LazyLock;

use chat_runtime::metrics::{counter, counter_vec, gauge, histogram_with};
use prometheus::{Histogram, IntCounter, IntGauge};

/// State cache lookups, by outcome (`hit`, `miss`).
pub static CACHE_LOOKUPS: LazyLock<prometheus::IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "chat_state_cache_lookups_total",
        "Lookups of a chat state in command-api's cache, by outcome (hit, miss).",
        &["outcome"],
    )
});

/// Bytes the cached chat states take.
pub static CACHE_BYTES: LazyLock<IntGauge> = LazyLock::new(|| {
    gauge(
        "chat_state_cache_bytes",
        "Approximate bytes of the chat states command-api keeps in memory.",
    )
});

/// Decisions per group-commit transaction.
pub static BATCH_SIZE: LazyLock<Histogram> = LazyLock::new(|| {
    histogram_with(
        "chat_group_commit_batch_size",
        "Decisions of different chats stored by one event-store transaction.",
        vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0],
    )
});

/// States found stale (another replica wrote the chat) and reloaded.
pub static STALE_STATES: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "chat_state_cache_stale_total",
        "Cached chat states found behind the store (another replica wrote) and reloaded.",
    )
});
