//! Driving an operation at a fixed offered rate (open loop): operation `n` is started at
//! `start + n / rate` whether or not the earlier ones have finished, and its latency is
//! measured from that scheduled time. A slow answer therefore cannot hold back the
//! requests behind it (coordinated omission): if the system falls behind, the queueing
//! shows in the latencies. An operation not done within the timeout counts as failed.

use std::future::Future;
use std::time::Duration;

use tokio::task::JoinSet;
use tokio::time::Instant;

use super::stats::Latencies;

/// What one open-loop run measured.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Operations started.
    pub sent: u64,
    /// Operations that succeeded within the timeout.
    pub succeeded: u64,
    /// Operations that failed or timed out.
    pub failed: u64,
    /// From the first scheduled start until the last operation ended.
    pub elapsed: Duration,
    /// Successful operations' latencies, each from its scheduled start.
    pub latencies: Latencies,
}

impl Outcome {
    /// Successful operations per second over the run.
    pub fn per_second(&self) -> f64 {
        self.succeeded as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }
}

/// Offers `op(n)` at `rate` per second for `duration`, each cut off `timeout` after its
/// scheduled start.
pub async fn run<F, Fut, E>(rate: f64, duration: Duration, timeout: Duration, op: F) -> Outcome
where
    F: Fn(u64) -> Fut,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: std::fmt::Display + Send + 'static,
{
    let total = (rate * duration.as_secs_f64()).round().max(1.0) as u64;
    let start = Instant::now();
    let mut running = JoinSet::new();
    for n in 0..total {
        let scheduled = start + Duration::from_secs_f64(n as f64 / rate);
        tokio::time::sleep_until(scheduled).await;
        let operation = op(n);
        running.spawn(async move {
            let result = tokio::time::timeout_at(scheduled + timeout, operation).await;
            (result, Instant::now() - scheduled)
        });
    }
    let mut outcome = Outcome {
        sent: total,
        ..Outcome::default()
    };
    while let Some(joined) = running.join_next().await {
        match joined {
            Ok((Ok(Ok(())), latency)) => {
                outcome.succeeded += 1;
                outcome.latencies.record(latency);
            }
            Ok((Ok(Err(e)), _)) => {
                if outcome.failed == 0 {
                    eprintln!("bench: an operation failed: {e}");
                }
                outcome.failed += 1;
            }
            Ok((Err(_), _)) | Err(_) => outcome.failed += 1,
        }
    }
    outcome.elapsed = start.elapsed();
    outcome
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    const RATE: f64 = 100.0;

    #[tokio::test(start_paused = true)]
    async fn a_system_faster_than_the_offered_rate_shows_its_own_latency() {
        let outcome = run(
            RATE,
            Duration::from_secs(1),
            Duration::from_secs(1),
            |_| async {
                tokio::time::sleep(Duration::from_millis(10)).await;
                Ok::<_, String>(())
            },
        )
        .await;
        assert_eq!(
            (outcome.sent, outcome.succeeded, outcome.failed),
            (100, 100, 0)
        );
        let p99 = outcome.latencies.percentile_ms(99.0);
        assert!((10.0..12.0).contains(&p99), "p99 {p99} ms");
    }

    #[tokio::test(start_paused = true)]
    async fn a_system_slower_than_the_offered_rate_shows_the_queue_it_builds() {
        // One operation at a time, 20 ms each: 50 per second against 100 offered.
        let server = Arc::new(tokio::sync::Mutex::new(()));
        let outcome = run(RATE, Duration::from_secs(1), Duration::from_secs(5), |_| {
            let server = Arc::clone(&server);
            async move {
                let _serving = server.lock().await;
                tokio::time::sleep(Duration::from_millis(20)).await;
                Ok::<_, String>(())
            }
        })
        .await;
        assert_eq!(outcome.succeeded, 100);
        // The last ones were scheduled by 1 s but served by 2 s: each waited behind the
        // queue, although every single operation took 20 ms.
        assert!(outcome.latencies.percentile_ms(99.0) > 900.0);
    }

    #[tokio::test(start_paused = true)]
    async fn operations_past_the_timeout_or_failing_count_as_failed() {
        let outcome = run(
            RATE,
            Duration::from_millis(100),
            Duration::from_secs(1),
            |n| async move {
                if n % 2 == 0 {
                    tokio::time::sleep(Duration::from_secs(3)).await;
                    Ok(())
                } else {
                    Err("refused")
                }
            },
        )
        .await;
        assert_eq!(
            (outcome.sent, outcome.succeeded, outcome.failed),
            (10, 0, 10)
        );
        assert!(outcome.latencies.is_empty());
    }
}
