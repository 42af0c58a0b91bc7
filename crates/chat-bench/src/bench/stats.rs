//! Latency samples and their percentiles.

use std::time::Duration;

/// Collected latencies of one operation.
#[derive(Debug, Clone, Default)]
pub struct Latencies {
    samples: Vec<Duration>,
}

impl Latencies {
    /// Adds one sample.
    pub fn record(&mut self, latency: Duration) {
        self.samples.push(latency);
    }

    /// Adds every sample of `other`.
    pub fn extend(&mut self, other: Latencies) {
        self.samples.extend(other.samples);
    }

    /// Whether there are none (only the tests ask; the report reads percentiles).
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// The `p`-th percentile (0 < p <= 100) by nearest rank, in milliseconds.
    pub fn percentile_ms(&self, p: f64) -> f64 {
        if self.samples.is_empty() {
            return f64::NAN;
        }
        let mut sorted = self.samples.clone();
        sorted.sort_unstable();
        let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        let index = rank.clamp(1, sorted.len()) - 1;
        sorted[index].as_secs_f64() * 1000.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut l = Latencies::default();
        for ms in 1..=100 {
            l.record(Duration::from_millis(ms));
        }
        assert_eq!(l.percentile_ms(50.0), 50.0);
        assert_eq!(l.percentile_ms(99.0), 99.0);
        assert_eq!(l.percentile_ms(100.0), 100.0);
        assert!(Latencies::default().percentile_ms(50.0).is_nan());
    }
}
