//! The hops of the SYNC path, one latency histogram family for all of them:
//! `chat_sync_hop_seconds{hop}`. Each service observes the hops it runs, so a send's path
//! reads across the `/metrics` of command-api and projector-sync:
//!
//! | hop | where | from → to |
//! |---|---|---|
//! | [`APPEND`] | command-api | the append starts → its transaction committed |
//! | [`OUTBOX_PICKUP`] | command-api's relay | the outbox row's `created_at` (its transaction's start) → the relay read it |
//! | [`PRODUCE_ACK`] | command-api's relay | the record handed to the producer → Kafka acknowledged it |
//! | [`CONSUME`] | every consumer | the record's Kafka timestamp (set when produced) → its handler starts |
//! | [`PROJECT`] | both projectors | one event's whole projection (CQL cells and the PostgreSQL transaction) |
//! | [`CHECKPOINT_NOTIFY`] | projector-sync | its PostgreSQL transaction: rows, checkpoint, `NOTIFY`, `COMMIT` |
//! | [`WAITER_WAKE`] | command-api | a request starts waiting for its version → it is woken (or gives up) |
//!
//! The hops overlap where their clocks do (the pickup includes the append's own
//! transaction; consume includes the produce's acknowledgement; checkpoint-notify is
//! part of project), so they explain a send's latency, they do not add up to it. The
//! consume hop compares clocks of two processes at millisecond resolution.

use std::sync::LazyLock;
use std::time::Duration;

use prometheus::HistogramVec;

use crate::metrics::histogram_vec_with;

/// The histogram family's name.
pub const METRIC: &str = "chat_sync_hop_seconds";

/// command-api: appending a command's events (and outbox rows).
pub const APPEND: &str = "append";
/// command-api's relay: an outbox row waiting to be read.
pub const OUTBOX_PICKUP: &str = "outbox_pickup";
/// command-api's relay: Kafka acknowledging a record.
pub const PRODUCE_ACK: &str = "produce_ack";
/// Consumers: a record's way from the producer to its handler.
pub const CONSUME: &str = "consume";
/// Projectors: projecting one event.
pub const PROJECT: &str = "project";
/// projector-sync: the transaction that writes rows, checkpoint and notification.
pub const CHECKPOINT_NOTIFY: &str = "checkpoint_notify";
/// command-api: a request waiting for projector-sync's checkpoint.
pub const WAITER_WAKE: &str = "waiter_wake";

/// Every hop, in path order.
pub const ALL: [&str; 7] = [
    APPEND,
    OUTBOX_PICKUP,
    PRODUCE_ACK,
    CONSUME,
    PROJECT,
    CHECKPOINT_NOTIFY,
    WAITER_WAKE,
];

/// Bucket bounds in seconds, 0.1 ms to 2 s, about three per decade and denser where a
/// healthy hop lands (0.5–50 ms), so quantiles estimated from them are close.
pub const BUCKETS: [f64; 22] = [
    0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015,
    0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.0,
];

static HOPS: LazyLock<HistogramVec> = LazyLock::new(|| {
    histogram_vec_with(
        METRIC,
        "Latency of each hop of the SYNC path (append, outbox_pickup, produce_ack, consume, \
         project, checkpoint_notify, waiter_wake), in seconds.",
        &["hop"],
        BUCKETS.to_vec(),
    )
});

/// Records that `hop` took `seconds` (negative values, from clocks apart, count as 0).
pub fn observe(hop: &str, seconds: f64) {
    HOPS.with_label_values(&[hop]).observe(seconds.max(0.0));
}

/// Records that `hop` took `elapsed`.
pub fn observe_duration(hop: &str, elapsed: Duration) {
    observe(hop, elapsed.as_secs_f64());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_rise_from_a_tenth_of_a_millisecond_to_two_seconds() {
        assert!(BUCKETS.windows(2).all(|w| w[0] < w[1]));
        assert_eq!((BUCKETS[0], BUCKETS[BUCKETS.len() - 1]), (0.0001, 2.0));
    }

    #[test]
    fn observations_are_exported_under_their_hop() {
        observe(PROJECT, 0.004);
        observe(PROJECT, -1.0);
        let text = crate::metrics::render();
        assert!(text.contains("chat_sync_hop_seconds_bucket{hop=\"project\",le=\"0.005\"}"));
        assert_eq!(HOPS.with_label_values(&[PROJECT]).get_sample_count(), 2);
        assert_eq!(HOPS.with_label_values(&[PROJECT]).get_sample_sum(), 0.004);
    }
}
