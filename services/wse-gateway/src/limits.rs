//! The gateway's limits: open connections per user on this replica ([`UserConnections`])
//! and the rate of each connection's client frames ([`FrameLimiter`]). (The size of a
//! client frame is the WebSocket codec's, set by the connection task.)

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chat_domain::UserId;
use chat_runtime::limits::{Bucket, Budget};

/// Open connections per user, capped.
#[derive(Debug)]
pub struct UserConnections {
    max: usize,
    /// Only users with an open connection have an entry, so it is as large as the
    /// connections at most.
    open: Arc<Mutex<HashMap<UserId, usize>>>,
}

impl UserConnections {
    /// At most `max` open connections per user.
    #[must_use]
    pub fn new(max: usize) -> Self {
        Self {
            max,
            open: Arc::default(),
        }
    }

    /// A place for one more connection of `user`, or `None` when they have `max` open.
    #[must_use]
    pub fn try_open(&self, user: UserId) -> Option<UserSlot> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(user).or_default();
        if *count >= self.max {
            if *count == 0 {
                open.remove(&user);
            }
            return None;
        }
        *count += 1;
        Some(UserSlot {
            user,
            open: Arc::clone(&self.open),
        })
    }
}

/// One connection's place in its user's count, given back when dropped.
#[derive(Debug)]
pub struct UserSlot {
    user: UserId,
    open: Arc<Mutex<HashMap<UserId, usize>>>,
}

impl Drop for UserSlot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.user) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.user);
            }
        }
    }
}

/// The budgets of one connection's client frames.
#[derive(Debug, Clone, Copy)]
pub struct FrameLimits {
    /// Frames accepted.
    pub frames: Budget,
    /// Frames refused before the connection is closed.
    pub refusals: Budget,
    /// Largest frame, in bytes.
    pub max_bytes: usize,
}

/// What to do with a client frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameVerdict {
    /// Within the rate: handle it.
    Accept,
    /// Over the rate: refuse it; the next is accepted after this wait.
    Refuse(Duration),
    /// Over the rate for too long: close the connection.
    Close,
}

/// One connection's frame buckets.
#[derive(Debug)]
pub struct FrameLimiter {
    frames: Bucket,
    refusals: Bucket,
}

impl FrameLimiter {
    /// Full buckets of `limits`.
    #[must_use]
    pub fn new(limits: &FrameLimits) -> Self {
        Self {
            frames: Bucket::new(limits.frames),
            refusals: Bucket::new(limits.refusals),
        }
    }

    /// The verdict on one more client frame.
    #[must_use]
    pub fn admit(&self) -> FrameVerdict {
        match self.frames.check() {
            Ok(()) => FrameVerdict::Accept,
            Err(wait) if self.refusals.check().is_ok() => FrameVerdict::Refuse(wait),
            Err(_) => FrameVerdict::Close,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_gets_max_slots_and_a_dropped_one_comes_back() {
        let users = UserConnections::new(2);
        let (ann, bob) = (
            UserId::from_uuid(uuid::Uuid::from_u128(1)),
            UserId::from_uuid(uuid::Uuid::from_u128(2)),
        );
        let first = users.try_open(ann).expect("first");
        let _second = users.try_open(ann).expect("second");
        assert!(users.try_open(ann).is_none(), "the third is over the cap");
        assert!(
            users.try_open(bob).is_some(),
            "another user is not affected"
        );
        drop(first);
        assert!(
            users.try_open(ann).is_some(),
            "a closed connection gives its slot back"
        );
    }

    #[test]
    fn users_without_connections_take_no_room() {
        let users = UserConnections::new(1);
        let slots: Vec<_> = (0..100)
            .filter_map(|i| users.try_open(UserId::from_uuid(uuid::Uuid::from_u128(i))))
            .collect();
        drop(slots);
        assert!(users.open.lock().expect("lock").is_empty());
        let none = UserConnections::new(0);
        assert!(
            none.try_open(UserId::from_uuid(uuid::Uuid::from_u128(1)))
                .is_none()
        );
        assert!(none.open.lock().expect("lock").is_empty());
    }

    #[test]
    fn frames_over_the_rate_are_refused_then_the_connection_is_closed() {
        let limiter = FrameLimiter::new(&FrameLimits {
            frames: Budget::per_second(1, 3),
            refusals: Budget::per_second(1, 2),
            max_bytes: 1024,
        });
        for _ in 0..3 {
            assert_eq!(limiter.admit(), FrameVerdict::Accept);
        }
        for _ in 0..2 {
            assert!(
                matches!(limiter.admit(), FrameVerdict::Refuse(wait) if wait <= Duration::from_secs(1))
            );
        }
        assert_eq!(limiter.admit(), FrameVerdict::Close);
    }
}
