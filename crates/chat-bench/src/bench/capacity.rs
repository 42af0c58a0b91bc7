//! The capacity phase: sends offered open-loop at stepping rates ([`LADDER`]), each for a
//! step of a few seconds, until a step is overloaded (errors, or POST p99 far past the
//! limit) or two in a row miss it; then up to two steps between the best rate that met
//! the limit and the first that did not. The capacity is the highest offered rate whose
//! POST p99, measured from each send's scheduled time, stayed within [`LIMIT_MS`]
//! with no errors.

use std::time::Duration;

use super::offered::{CHATS, SendLoad};
use super::raw::{PG_BATCHED, PG_TX};
use super::report::Figure;

/// The POST p99 a rate must keep, in milliseconds.
pub const LIMIT_MS: f64 = 50.0;

/// A step whose POST p99 exceeds the limit this many times is overloaded: stop climbing.
const OVERLOAD_FACTOR: f64 = 4.0;

/// Offered rates tried in turn, in sends per second.
pub const LADDER: [f64; 14] = [
    50.0, 100.0, 200.0, 400.0, 800.0, 1200.0, 1600.0, 2400.0, 3200.0, 4800.0, 6400.0, 9600.0,
    12800.0, 16000.0,
];

/// Steps tried between the best passing rate and the first failing one.
const REFINEMENTS: usize = 2;

/// The name of the capacity figure.
pub const CAPACITY: &str = "capacity (POST p99 ≤ 50 ms)";

/// One offered rate and what it got.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Sends offered per second.
    pub offered: f64,
    /// Sends answered 201 per second.
    pub achieved: f64,
    /// POST latency p50 from the scheduled send time, ms.
    pub p50_ms: f64,
    /// POST latency p99 from the scheduled send time, ms.
    pub p99_ms: f64,
    /// Sends not answered 201 within the timeout.
    pub failed: u64,
}

impl Step {
    /// Met the limit: no errors, p99 within [`LIMIT_MS`].
    pub fn passed(&self) -> bool {
        self.failed == 0 && self.p99_ms <= LIMIT_MS
    }

    /// Far past it: errors, or p99 beyond [`OVERLOAD_FACTOR`] times the limit.
    pub fn overloaded(&self) -> bool {
        self.failed > 0 || self.p99_ms.is_nan() || self.p99_ms > LIMIT_MS * OVERLOAD_FACTOR
    }
}

/// The steps taken so far and which rate comes next.
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// Every step, in the order run.
    pub steps: Vec<Step>,
}

impl Search {
    /// The next rate to offer, or `None` when the search is over.
    pub fn next_rate(&self) -> Option<f64> {
        // The climb comes first: the steps that are the ladder's rates in order.
        let climbed = self
            .steps
            .iter()
            .zip(LADDER)
            .take_while(|(s, rate)| s.offered == *rate)
            .count();
        let climb = &self.steps[..climbed];
        let stop = climb.last().is_some_and(Step::overloaded)
            || (climbed >= 2 && climb[climbed - 2..].iter().all(|s| !s.passed()));
        if !stop && climbed == self.steps.len() && climbed < LADDER.len() {
            return Some(LADDER[climbed]);
        }
        let refined = self.steps.len() - climbed;
        let lower = self.capacity().unwrap_or(0.0);
        let upper = self
            .steps
            .iter()
            .filter(|s| !s.passed() && s.offered > lower)
            .map(|s| s.offered)
            .min_by(f64::total_cmp)?;
        (refined < REFINEMENTS && upper > lower * 1.15 + 5.0)
            .then(|| ((lower + upper) / 2.0).round())
    }

    /// The highest offered rate that passed.
    pub fn capacity(&self) -> Option<f64> {
        self.steps
            .iter()
            .filter(|s| s.passed())
            .map(|s| s.offered)
            .max_by(f64::total_cmp)
    }
}

/// Runs the search with `load`, each step lasting `step`.
pub async fn search(load: &SendLoad, step: Duration) -> Search {
    let mut search = Search::default();
    while let Some(rate) = search.next_rate() {
        let outcome = load.offer(rate, step).await;
        let taken = Step {
            offered: rate,
            achieved: outcome.per_second(),
            p50_ms: outcome.latencies.percentile_ms(50.0),
            p99_ms: outcome.latencies.percentile_ms(99.0),
            failed: outcome.failed,
        };
        eprintln!(
            "capacity: offered {rate}/s: achieved {:.0}/s, p50 {:.1} ms, p99 {:.1} ms, {} failed",
            taken.achieved, taken.p50_ms, taken.p99_ms, taken.failed
        );
        // Let queues drain so the next step starts from an idle system (longer after a
        // step that left a backlog behind).
        let pause = if taken.passed() { 2 } else { 5 };
        search.steps.push(taken);
        tokio::time::sleep(Duration::from_secs(pause)).await;
    }
    search
}

/// The capacity figures: the capacity against both PostgreSQL baselines, then each step.
pub fn figures(search: &Search, step: Duration) -> Vec<Figure> {
    let capacity = search.capacity();
    let how = match capacity {
        Some(_) => format!(
            "highest offered rate (open loop, {CHATS} chats, {} s steps) with POST p99 ≤ {LIMIT_MS} ms from the scheduled send time and no errors",
            step.as_secs()
        ),
        None => format!("no offered rate met POST p99 ≤ {LIMIT_MS} ms"),
    };
    let value = capacity.unwrap_or(0.0);
    let mut figures = vec![
        Figure::new(CAPACITY, value, "sends/s", Some(PG_TX), &how),
        Figure::new(
            "capacity, vs batched insert",
            value,
            "sends/s",
            Some(PG_BATCHED),
            "the capacity above, divided by raw batched-insert rows/s",
        ),
    ];
    figures.extend(search.steps.iter().map(|s| {
        Figure::new(
            &format!("open loop {}/s: POST p99", s.offered),
            s.p99_ms,
            "ms",
            None,
            &format!(
                "achieved {:.0}/s, p50 {:.1} ms, {} failed{}",
                s.achieved,
                s.p50_ms,
                s.failed,
                if s.passed() {
                    ""
                } else {
                    " (missed the limit)"
                }
            ),
        )
    }));
    figures
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A system whose p99 is 10 ms up to `capacity` sends/s, 100 ms up to twice that,
    /// and overloaded beyond.
    fn step(offered: f64, capacity: f64) -> Step {
        let (p99_ms, failed) = if offered <= capacity {
            (10.0, 0)
        } else if offered <= capacity * 2.0 {
            (100.0, 0)
        } else {
            (900.0, 3)
        };
        Step {
            offered,
            achieved: offered,
            p50_ms: 5.0,
            p99_ms,
            failed,
        }
    }

    fn run(capacity: f64) -> Search {
        let mut search = Search::default();
        while let Some(rate) = search.next_rate() {
            assert!(search.steps.len() < 30, "the search ends");
            search.steps.push(step(rate, capacity));
        }
        search
    }

    fn offered(search: &Search) -> Vec<f64> {
        search.steps.iter().map(|s| s.offered).collect()
    }

    #[test]
    fn it_climbs_until_overloaded_then_refines_between_the_last_pass_and_the_first_miss() {
        let search = run(300.0);
        assert_eq!(
            offered(&search),
            [50.0, 100.0, 200.0, 400.0, 800.0, 300.0, 350.0]
        );
        assert_eq!(search.capacity(), Some(300.0));
    }

    #[test]
    fn two_misses_in_a_row_stop_the_climb() {
        let search = run(1000.0);
        assert_eq!(
            offered(&search)[..7],
            [50.0, 100.0, 200.0, 400.0, 800.0, 1200.0, 1600.0]
        );
        assert_eq!(offered(&search)[7..], [1000.0, 1100.0]);
        assert_eq!(search.capacity(), Some(1000.0));
    }

    #[test]
    fn a_system_below_the_first_rate_is_refined_downwards() {
        let search = run(20.0);
        assert_eq!(offered(&search), [50.0, 25.0, 13.0]);
        assert_eq!(search.capacity(), Some(13.0));
        assert_eq!(run(1.0).capacity(), None);
    }

    #[test]
    fn a_system_beyond_the_ladder_stops_at_its_top() {
        let search = run(1e9);
        assert_eq!(offered(&search).len(), LADDER.len());
        assert_eq!(search.capacity(), Some(16000.0));
    }

    #[test]
    fn the_capacity_figures_compare_it_with_both_postgresql_baselines() {
        let figures = figures(&run(300.0), Duration::from_secs(5));
        assert_eq!(figures[0].value, 300.0);
        assert_eq!(figures[0].baseline.as_deref(), Some(PG_TX));
        assert_eq!(figures[1].baseline.as_deref(), Some(PG_BATCHED));
        assert_eq!(figures.len(), 2 + 7);
    }
}
