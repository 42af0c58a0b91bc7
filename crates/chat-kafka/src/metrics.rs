//! What every consumer of the events topic reports to Prometheus: events handled by
//! outcome, handling latency (for projectors: projection latency), dead letters, and the
//! consumer lag per partition from librdkafka's statistics.

use std::sync::LazyLock;

use chat_runtime::metrics::{counter_vec, gauge_vec, histogram_vec};
use prometheus::{HistogramVec, IntCounterVec, IntGaugeVec};
use rdkafka::consumer::ConsumerContext;
use rdkafka::{ClientContext, Statistics};

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

/// The consumer's librdkafka context: turns its periodic statistics into the lag gauge.
#[derive(Debug, Clone)]
pub struct LagContext {
    /// The consumer group, the gauge's first label.
    pub group: String,
}

impl ClientContext for LagContext {
    fn stats(&self, statistics: Statistics) {
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
