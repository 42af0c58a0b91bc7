//! What every consumer of the events topic reports to Prometheus: events handled by
//! outcome, handling latency (for projectors: projection latency), dead letters, and the
//! consumer lag per partition from librdkafka's statistics; and the `consume` hop of the
//! SYNC path (`chat_sync_hop_seconds{hop="consume"}`, see [`chat_runtime::hops`]): from a
//! record's Kafka timestamp until its handler starts.

use std::sync::{Arc, LazyLock};
use std::time::{SystemTime, UNIX_EPOCH};

use chat_runtime::metrics::{counter_vec, gauge_vec, histogram_vec};
use prometheus::{HistogramVec, IntCounterVec, IntGaugeVec};
use rdkafka::consumer::ConsumerContext;
use rdkafka::{ClientContext, Message, Statistics};

use crate::consumer::GroupWatch;

/// Events handled, by consumer group and outcome (`handled`, `dead_lettered`, `retried`).
pub static EVENTS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "chat_events_consumed_total",
        "Events of chat.events taken by a consumer, by group and outcome.",
        &["group", "outcome"],
    )
});

/// Time from receiving an event to having handled it, by consumer group.
pub static HANDLE_SECONDS: LazyLock<HistogramVec> = LazyLock::new(|| {
    histogram_vec(
        "chat_event_handle_seconds",
        "Time to handle one event (for projectors: to project it), by group.",
        &["group"],
    )
});

/// Records behind the end of each partition, by consumer group.
pub static LAG: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    gauge_vec(
        "chat_consumer_lag",
        "Records not yet consumed, by group, topic and partition.",
        &["group", "topic", "partition"],
    )
});

/// Consumers replaced because their group stayed out of the joined state (see
/// [`crate::consumer`]'s watchdog), by consumer group.
pub static REPLACED: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "chat_consumer_replaced_total",
        "Kafka consumers replaced because their group did not rejoin, by group.",
        &["group"],
    )
});

/// The consumer's librdkafka context: turns its periodic statistics into the lag gauge,
/// and hands their group part to the consumer's watch.
#[derive(Debug, Clone)]
pub struct LagContext {
    /// The consumer group, the gauge's first label.
    pub group: String,
    /// Subscribed consumers only: what notices a group that does not rejoin.
    pub watch: Option<Arc<GroupWatch>>,
}

impl ClientContext for LagContext {
    fn stats(&self, statistics: Statistics) {
        if let (Some(watch), Some(cgrp)) = (&self.watch, &statistics.cgrp) {
            watch.observe(cgrp);
        }
        for (topic, stats) in &statistics.topics {
            for (partition, p) in &stats.partitions {
                // librdkafka reports -1 for partitions this consumer does not own.
                if *partition >= 0 && p.consumer_lag >= 0 {
                    LAG.with_label_values(&[self.group.as_str(), topic, &partition.to_string()])
                        .set(p.consumer_lag);
                }
            }
        }
    }
}

impl ConsumerContext for LagContext {}

/// Observes the `consume` hop of `message`: its age now, by its Kafka timestamp (the
/// producer's clock when it was produced, or the broker's on log-append-time topics).
/// Records without a timestamp are not counted.
pub fn observe_consumed(message: &impl Message) {
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    if let Some(age) = record_age(message.timestamp().to_millis(), now_ms) {
        chat_runtime::hops::observe(chat_runtime::hops::CONSUME, age);
    }
}

/// Seconds between a record's timestamp and `now_ms` (both Unix milliseconds); `None`
/// without a timestamp. A timestamp ahead of `now_ms` (clocks apart) is an age of 0.
fn record_age(timestamp_ms: Option<i64>, now_ms: i64) -> Option<f64> {
    let at = timestamp_ms.filter(|ms| *ms >= 0)?;
    Some(now_ms.saturating_sub(at).max(0) as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_age_is_the_time_since_its_timestamp() {
        assert_eq!(record_age(Some(1_000), 1_250), Some(0.25));
        assert_eq!(record_age(Some(2_000), 1_000), Some(0.0));
        assert_eq!(record_age(None, 1_000), None);
        assert_eq!(record_age(Some(-1), 1_000), None);
    }
}
