//! Token buckets for the services' limits, on `governor` (GCRA): a [`Budget`] read from
//! the configuration, a [`KeyedLimiter`] (one bucket per user or service, swept so it
//! holds no more than the recently active keys), a [`Bucket`] (one connection's), and
//! the `Retry-After` a refusal implies ([`retry_after_secs`]).

use std::fmt;
use std::hash::Hash;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::Clock;
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use prometheus::IntGauge;

/// Checks between two sweeps of a keyed limiter's idle buckets: the map holds at most
/// the keys active within a bucket's refill time plus this many, and a sweep (linear in
/// the keys) is paid for by this many checks.
pub const SWEEP_EVERY: u64 = 1024;

/// A token bucket's shape: at most `burst` tokens, one more every `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    quota: Quota,
}

impl Budget {
    /// `per_second` tokens a second sustained, `burst` at once (each at least 1).
    #[must_use]
    pub fn per_second(per_second: u32, burst: u32) -> Self {
        Self::new(burst, Duration::from_secs(1) / per_second.max(1))
    }

    /// `count` tokens per `window`, all of them usable at once (at least 1).
    #[must_use]
    pub fn per_window(count: u32, window: Duration) -> Self {
        Self::new(count, window / count.max(1))
    }

    fn new(burst: u32, period: Duration) -> Self {
        let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        // `with_period` refuses only a zero period, which `max` rules out.
        let quota = Quota::with_period(period.max(Duration::from_millis(1)))
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MAX));
        Self {
            quota: quota.allow_burst(burst),
        }
    }

    /// Tokens usable at once.
    #[must_use]
    pub fn burst(&self) -> u32 {
        self.quota.burst_size().get()
    }

    /// Time for one token to come back.
    #[must_use]
    pub fn period(&self) -> Duration {
        self.quota.replenish_interval()
    }
}

/// One token bucket per key (a user, a service identity).
pub struct KeyedLimiter<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
    checks: AtomicU64,
    /// Set to the number of buckets held after each sweep.
    keys: IntGauge,
}

impl<K: Hash + Eq + Clone> fmt::Debug for KeyedLimiter<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyedLimiter")
            .field("keys", &self.limiter.len())
            .finish_non_exhaustive()
    }
}

impl<K: Hash + Eq + Clone> KeyedLimiter<K> {
    /// Buckets of `budget`, their count reported in `keys`.
    #[must_use]
    pub fn new(budget: Budget, keys: IntGauge) -> Self {
        Self {
            limiter: RateLimiter::keyed(budget.quota),
            checks: AtomicU64::new(0),
            keys,
        }
    }

    /// Takes a token from `key`'s bucket, or says how long until one is there.
    ///
    /// # Errors
    /// The wait until the next token, when the bucket is empty.
    pub fn check(&self, key: &K) -> Result<(), Duration> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.sweep();
        }
        self.limiter
            .check_key(key)
            .map_err(|refused| refused.wait_time_from(self.limiter.clock().now()))
    }

    /// Buckets held now (a full one is dropped at the next sweep).
    #[must_use]
    pub fn len(&self) -> usize {
        self.limiter.len()
    }

    /// Whether no bucket is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.limiter.is_empty()
    }

    /// Drops the buckets that are full again: they are no different from a new one.
    fn sweep(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
        self.keys
            .set(i64::try_from(self.limiter.len()).unwrap_or(i64::MAX));
    }
}

/// One token bucket (a connection's).
#[derive(Debug)]
pub struct Bucket {
    limiter: DefaultDirectRateLimiter,
}

impl Bucket {
    /// A full bucket of `budget`.
    #[must_use]
    pub fn new(budget: Budget) -> Self {
        Self {
            limiter: RateLimiter::direct(budget.quota),
        }
    }

    /// Takes a token, or says how long until one is there.
    ///
    /// # Errors
    /// The wait until the next token, when the bucket is empty.
    pub fn check(&self) -> Result<(), Duration> {
        self.limiter
            .check()
            .map_err(|refused| refused.wait_time_from(self.limiter.clock().now()))
    }
}

/// The `Retry-After` of a refusal that must wait `wait`: whole seconds, rounded up, at
/// least 1 (a client told 0 would retry at once and be refused again).
#[must_use]
pub fn retry_after_secs(wait: Duration) -> u64 {
    let whole = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    whole.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> IntGauge {
        IntGauge::new("test_keys", "test").expect("a valid name")
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds_and_is_never_zero() {
        let cases = [
            (Duration::ZERO, 1),
            (Duration::from_nanos(1), 1),
            (Duration::from_millis(200), 1),
            (Duration::from_secs(1), 1),
            (Duration::from_millis(1001), 2),
            (Duration::from_millis(29_500), 30),
            (Duration::from_secs(30), 30),
        ];
        for (wait, seconds) in cases {
            assert_eq!(retry_after_secs(wait), seconds, "{wait:?}");
        }
    }

    #[test]
    fn budgets_have_the_configured_shape_and_never_a_zero() {
        let writes = Budget::per_second(5, 20);
        assert_eq!(
            (writes.burst(), writes.period()),
            (20, Duration::from_millis(200))
        );
        let creations = Budget::per_window(20, Duration::from_secs(600));
        assert_eq!(creations.burst(), 20);
        assert_eq!(creations.period(), Duration::from_secs(30));
        let zero = Budget::per_second(0, 0);
        assert_eq!((zero.burst(), zero.period()), (1, Duration::from_secs(1)));
    }

    #[test]
    fn a_key_gets_its_burst_then_waits_and_other_keys_are_unaffected() {
        let limiter = KeyedLimiter::new(Budget::per_window(3, Duration::from_secs(60)), keys());
        for _ in 0..3 {
            assert_eq!(limiter.check(&"ann"), Ok(()));
        }
        let wait = limiter.check(&"ann").expect_err("the burst is spent");
        assert!(
            wait > Duration::from_secs(19) && wait <= Duration::from_secs(20),
            "{wait:?}"
        );
        assert_eq!(retry_after_secs(wait), 20);
        assert_eq!(limiter.check(&"bob"), Ok(()));
    }

    #[test]
    fn full_buckets_are_swept_so_the_map_stays_bounded() {
        // Buckets full again one millisecond after their only use.
        let limiter = KeyedLimiter::new(Budget::per_second(1000, 1), keys());
        let rounds = 4;
        for round in 0..rounds {
            for i in 0..SWEEP_EVERY {
                assert_eq!(limiter.check(&(round * SWEEP_EVERY + i)), Ok(()));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        // Each round's last check swept the rounds before it.
        let held = limiter.len() as u64;
        assert!(held <= 2 * SWEEP_EVERY, "{held} buckets held");
    }

    #[test]
    fn a_bucket_refuses_past_its_burst() {
        let bucket = Bucket::new(Budget::per_second(1, 2));
        assert_eq!(bucket.check(), Ok(()));
        assert_eq!(bucket.check(), Ok(()));
        let wait = bucket.check().expect_err("empty");
        assert!(wait <= Duration::from_secs(1), "{wait:?}");
    }
}
