//! Driving an operation at a fixed concurrency for a fixed time.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::stats::Latencies;

/// What a run achieved.
#[derive(Debug, Clone, Default)]
pub struct Throughput {
    /// Operations that succeeded.
    pub succeeded: u64,
    /// Operations that failed.
    pub failed: u64,
    /// Wall time of the run.
    pub elapsed: Duration,
    /// The successful operations' latencies.
    pub latencies: Latencies,
}

impl Throughput {
    /// Successful operations per second.
    pub fn per_second(&self) -> f64 {
        self.succeeded as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }
}

/// Runs `op(n)` from `concurrency` workers, each starting its next operation as soon as
/// its previous one ends, until `duration` has passed.
pub async fn run<F, Fut, E>(duration: Duration, concurrency: usize, op: F) -> Throughput
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), E>> + Send,
    E: std::fmt::Display,
{
    let op = Arc::new(op);
    let counter = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + duration;
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let op = Arc::clone(&op);
            let counter = Arc::clone(&counter);
            tokio::spawn(async move {
                let mut result = Throughput::default();
                while Instant::now() < deadline {
                    let n = counter.fetch_add(1, Ordering::Relaxed);
                    let began = Instant::now();
                    match op(n).await {
                        Ok(()) => {
                            result.succeeded += 1;
                            result.latencies.record(began.elapsed());
                        }
                        Err(e) => {
                            if result.failed == 0 {
                                eprintln!("bench: an operation failed: {e}");
                            }
                            result.failed += 1;
                        }
                    }
                }
                result
            })
        })
        .collect();
    let mut total = Throughput::default();
    for worker in workers {
        if let Ok(part) = worker.await {
            total.succeeded += part.succeeded;
            total.failed += part.failed;
            total.latencies.extend(part.latencies);
        }
    }
    total.elapsed = started.elapsed();
    total
}
