//! The limits' Prometheus series.

use std::sync::LazyLock;

use chat_runtime::metrics::{counter_vec, gauge_vec};
use prometheus::{IntCounterVec, IntGaugeVec};

/// Requests answered 429, by bucket (`user_writes`, `service_writes`, `chat_creations`).
pub static RATE_LIMITED: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "chat_rate_limited_total",
        "Requests refused with 429 because the caller's bucket was empty, by bucket.",
        &["limit"],
    )
});

/// Buckets a keyed limiter holds (as of its last sweep), by bucket.
pub static LIMITER_KEYS: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    gauge_vec(
        "chat_rate_limiter_keys",
        "Callers with a bucket in a rate limiter (as of its last sweep of idle ones), by bucket.",
        &["limit"],
    )
});

/// Commands refused for a participant cap, by cap (`per_request` 422, `per_chat` 409).
pub static PARTICIPANT_CAPS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "chat_participant_cap_refusals_total",
        "Requests refused because they list or would make too many participants, by cap.",
        &["cap"],
    )
});
