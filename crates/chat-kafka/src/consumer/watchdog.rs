//! Noticing a consumer whose group never comes back.
//!
//! librdkafka can wedge after its group coordinator went away and came back (seen with
//! the bundled 2.12 after a single-broker restart): the session times out, the group is
//! left to rejoin, and the JoinGroup request then waits in the out-queue of the logical
//! `GroupCoordinator` broker forever (`REQTMOUT ... 1 out-queue` every socket timeout).
//! Nothing is consumed again until the process restarts, and we know of no setting
//! that avoids it (`socket.timeout.ms` only paces the timeouts). The consumer's
//! statistics show it: the group never returns to the joined, steady state. A
//! [`GroupWatch`] reads the group part of every statistics report and, once the group has
//! been out of that state for [`UNJOINED_LIMIT`], fires its token; the run loop then
//! replaces the librdkafka consumer with a fresh one (see `super::lanes`).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use rdkafka::statistics::ConsumerGroup;
use tokio_util::sync::CancellationToken;

/// How long a subscribed consumer's group may stay out of the steady state before the
/// consumer is replaced. An ordinary broker restart keeps a group unsteady for the
/// outage, the broker's start and group load, and then up to a session timeout (45 s)
/// while the coordinator waits for the member that was lost to expire: 114 s measured
/// for the 38 s outage of the broker-restart test. A smaller limit replaces consumers
/// that would have recovered by themselves, and a replacement may add that expiry wait
/// again; a wedged consumer is still back within seconds of the limit.
pub const UNJOINED_LIMIT: Duration = Duration::from_secs(150);

/// The group handler's state as librdkafka reports it (`cgrp.state`, `cgrp.join_state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupState<'a> {
    /// `init`, `query-coord`, `wait-coord`, ..., `up`.
    pub state: &'a str,
    /// `init`, `wait-join`, ..., `steady`.
    pub join_state: &'a str,
}

impl GroupState<'_> {
    /// Joined, with its assignment in hand (which may be empty: more members than
    /// partitions is a steady group too).
    #[must_use]
    pub fn is_steady(&self) -> bool {
        self.state == "up" && self.join_state == "steady"
    }
}

/// The rule: fires once the group has been continuously unsteady for `limit`, counting
/// from the first unsteady observation after a steady one (or after creation).
#[derive(Debug, Clone)]
pub struct StuckRule {
    limit: Duration,
    unsteady_since: Option<Instant>,
}

impl StuckRule {
    /// A rule that tolerates `limit` out of the steady state.
    #[must_use]
    pub fn new(limit: Duration) -> Self {
        Self {
            limit,
            unsteady_since: None,
        }
    }

    /// Takes the state observed `at`; true when the group has been unsteady for the limit.
    pub fn observe(&mut self, at: Instant, group: GroupState<'_>) -> bool {
        if group.is_steady() {
            self.unsteady_since = None;
            return false;
        }
        let since = *self.unsteady_since.get_or_insert(at);
        at.saturating_duration_since(since) >= self.limit
    }
}

/// One consumer's watch: the rule, the last state logged, and the token fired when the
/// group is stuck. Shared by the consumer's context (which feeds it statistics) and the
/// run loop (which waits on the token).
#[derive(Debug)]
pub struct GroupWatch {
    group: String,
    rule: Mutex<(StuckRule, Option<(String, String)>)>,
    stuck: CancellationToken,
}

impl GroupWatch {
    /// A watch of a consumer of `group` that fires after `limit` unsteady.
    #[must_use]
    pub fn new(group: &str, limit: Duration) -> Self {
        Self {
            group: group.to_owned(),
            rule: Mutex::new((StuckRule::new(limit), None)),
            stuck: CancellationToken::new(),
        }
    }

    /// Fires once the group is found stuck; never un-fires.
    #[must_use]
    pub fn stuck(&self) -> &CancellationToken {
        &self.stuck
    }

    /// Takes one statistics report's group part: logs state changes (the trail a wedge
    /// leaves) and fires [`Self::stuck`] when the rule says so.
    pub fn observe(&self, cgrp: &ConsumerGroup) {
        let group = GroupState {
            state: &cgrp.state,
            join_state: &cgrp.join_state,
        };
        let Ok(mut guard) = self.rule.lock() else {
            return;
        };
        let (rule, last) = &mut *guard;
        let changed = last
            .as_ref()
            .is_none_or(|(s, j)| s != group.state || j != group.join_state);
        if changed {
            tracing::info!(
                group = %self.group,
                state = group.state,
                join_state = group.join_state,
                stateage_ms = cgrp.stateage,
                assignment_size = cgrp.assignment_size,
                rebalance_cnt = cgrp.rebalance_cnt,
                rebalance_reason = %cgrp.rebalance_reason,
                "consumer group state"
            );
            *last = Some((group.state.to_owned(), group.join_state.to_owned()));
        } else {
            tracing::debug!(
                group = %self.group,
                state = group.state,
                join_state = group.join_state,
                stateage_ms = cgrp.stateage,
                assignment_size = cgrp.assignment_size,
                "consumer group state"
            );
        }
        if rule.observe(Instant::now(), group) && !self.stuck.is_cancelled() {
            tracing::warn!(
                group = %self.group,
                state = group.state,
                join_state = group.join_state,
                stateage_ms = cgrp.stateage,
                limit = ?rule.limit,
                "consumer group has not rejoined; replacing the consumer"
            );
            self.stuck.cancel();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: Duration = Duration::from_secs(60);

    fn state<'a>(state: &'a str, join_state: &'a str) -> GroupState<'a> {
        GroupState { state, join_state }
    }

    /// Feeds `(seconds after start, state)` observations; the verdict of each.
    fn verdicts(observed: &[(u64, GroupState<'_>)]) -> Vec<bool> {
        let start = Instant::now();
        let mut rule = StuckRule::new(LIMIT);
        observed
            .iter()
            .map(|(s, g)| rule.observe(start + Duration::from_secs(*s), *g))
            .collect()
    }

    #[test]
    fn a_group_never_steady_fires_once_the_limit_has_passed() {
        let wait = state("up", "wait-join");
        let seen = verdicts(&[
            (0, state("init", "init")),
            (30, wait),
            (59, wait),
            (60, wait),
        ]);
        assert_eq!(seen, [false, false, false, true]);
    }

    #[test]
    fn a_steady_group_never_fires() {
        let steady = state("up", "steady");
        let seen = verdicts(&[(0, steady), (100, steady), (1_000, steady)]);
        assert_eq!(seen, [false, false, false]);
    }

    #[test]
    fn an_idle_joined_member_without_partitions_is_steady() {
        // More members than partitions: joined, nothing assigned; librdkafka still
        // reports the steady join state, and nothing is wrong.
        let idle = state("up", "steady");
        assert!(idle.is_steady());
        assert_eq!(verdicts(&[(0, idle), (3_600, idle)]), [false, false]);
    }

    #[test]
    fn a_rebalance_shorter_than_the_limit_restarts_the_clock() {
        let (steady, joining) = (state("up", "steady"), state("up", "wait-sync"));
        let seen = verdicts(&[(0, joining), (50, steady), (55, joining), (110, joining)]);
        assert_eq!(seen, [false, false, false, false]);
        let seen = verdicts(&[(0, joining), (50, steady), (55, joining), (115, joining)]);
        assert_eq!(seen, [false, false, false, true]);
    }

    #[test]
    fn a_lost_coordinator_counts_as_unsteady() {
        let lost = state("query-coord", "init");
        let seen = verdicts(&[
            (0, state("up", "steady")),
            (10, lost),
            (69, lost),
            (70, lost),
        ]);
        assert_eq!(seen, [false, false, false, true]);
    }
}
