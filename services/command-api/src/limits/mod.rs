//! command-api's limits: per-caller token buckets on writes (each user's, and a larger
//! one per trusted service identity), a per-user window on creating chats, and the cap
//! on participants one request may list. The per-chat participant cap belongs to the
//! command service (`app`), which sees the state a decision produces.
//!
//! - [`throttle_writes`]: the middleware taking a write token for every non-GET `/api`
//!   request.
//! - [`metrics`]: refusals and bucket counts, for Prometheus.

pub mod metrics;
mod middleware;

use std::time::Duration;

use chat_domain::{Actor, UserId};
use chat_runtime::limits::{Budget, KeyedLimiter};

use crate::config::LimitsConfig;
use crate::http::error::ApiError;
use crate::limits::metrics::{LIMITER_KEYS, PARTICIPANT_CAPS, RATE_LIMITED};
pub use middleware::throttle_writes;

/// The limits every write passes, shared by all workers.
#[derive(Debug)]
pub struct WriteLimits {
    users: KeyedLimiter<UserId>,
    services: KeyedLimiter<String>,
    creations: KeyedLimiter<UserId>,
    max_participants_per_request: usize,
}

impl WriteLimits {
    /// Empty buckets of the configured sizes.
    #[must_use]
    pub fn new(cfg: &LimitsConfig) -> Self {
        let keys = |limit| LIMITER_KEYS.with_label_values(&[limit]);
        Self {
            users: KeyedLimiter::new(
                Budget::per_second(cfg.write_rate_per_s, cfg.write_burst),
                keys(USER_WRITES),
            ),
            services: KeyedLimiter::new(
                Budget::per_second(cfg.service_write_rate_per_s, cfg.service_write_burst),
                keys(SERVICE_WRITES),
            ),
            creations: KeyedLimiter::new(
                Budget::per_window(
                    cfg.chat_creates_per_window,
                    Duration::from_secs(cfg.chat_create_window_s),
                ),
                keys(CHAT_CREATIONS),
            ),
            max_participants_per_request: cfg.max_participants_per_request,
        }
    }

    /// Takes a write token of `actor`: a user's own bucket, or the service's.
    ///
    /// # Errors
    /// [`ApiError::RateLimited`] when the bucket is empty.
    pub fn write(&self, actor: &Actor) -> Result<(), ApiError> {
        match actor {
            Actor::User { id, .. } => refused(USER_WRITES, self.users.check(id)),
            Actor::Service { name } => refused(SERVICE_WRITES, self.services.check(name)),
        }
    }

    /// Takes a chat-creation token of `user`.
    ///
    /// # Errors
    /// [`ApiError::RateLimited`] when the user created their window's worth of chats.
    pub fn create_chat(&self, user: UserId) -> Result<(), ApiError> {
        refused(CHAT_CREATIONS, self.creations.check(&user))
    }

    /// Checks how many participants one request lists.
    ///
    /// # Errors
    /// [`ApiError::TooManyParticipants`] over the cap.
    pub fn participants(&self, listed: usize) -> Result<(), ApiError> {
        let limit = self.max_participants_per_request;
        if listed > limit {
            PARTICIPANT_CAPS.with_label_values(&["per_request"]).inc();
            return Err(ApiError::TooManyParticipants { listed, limit });
        }
        Ok(())
    }
}

const USER_WRITES: &str = "user_writes";
const SERVICE_WRITES: &str = "service_writes";
const CHAT_CREATIONS: &str = "chat_creations";

/// A bucket's refusal as the API's 429, counted.
fn refused(limit: &'static str, checked: Result<(), Duration>) -> Result<(), ApiError> {
    checked.map_err(|retry_after| {
        RATE_LIMITED.with_label_values(&[limit]).inc();
        let what = if limit == CHAT_CREATIONS {
            "too many chats created"
        } else {
            "too many requests"
        };
        ApiError::RateLimited { what, retry_after }
    })
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::Config;

    fn limits(flags: &[&str]) -> WriteLimits {
        let args = [
            "command-api",
            "--database-url=x",
            "--kafka-brokers=k",
            "--cql-nodes=c",
        ];
        let cfg = Config::parse_from(args.iter().chain(flags));
        WriteLimits::new(&cfg.limits)
    }

    #[test]
    fn the_defaults_fit_people_and_a_service_gets_more() {
        let limits = limits(&[]);
        let (ann, bridge) = (
            Actor::user(UserId::from_uuid(uuid::Uuid::now_v7())),
            Actor::service("telegram-bridge"),
        );
        for _ in 0..20 {
            assert!(limits.write(&ann).is_ok());
        }
        let Err(ApiError::RateLimited { retry_after, .. }) = limits.write(&ann) else {
            panic!("the 21st write at once is refused");
        };
        assert!(retry_after <= Duration::from_millis(200), "{retry_after:?}");
        for _ in 0..1000 {
            assert!(limits.write(&bridge).is_ok());
        }
        let creator = UserId::from_uuid(uuid::Uuid::now_v7());
        for _ in 0..20 {
            assert!(limits.create_chat(creator).is_ok());
        }
        let Err(ApiError::RateLimited { retry_after, .. }) = limits.create_chat(creator) else {
            panic!("20 chats per 10 minutes");
        };
        assert!(
            retry_after > Duration::from_secs(29),
            "one every 30 s: {retry_after:?}"
        );
        assert!(limits.participants(100).is_ok());
        assert!(matches!(
            limits.participants(101),
            Err(ApiError::TooManyParticipants {
                listed: 101,
                limit: 100
            })
        ));
    }

    #[test]
    fn chat_creations_have_their_own_window() {
        let limits = limits(&["--chat-creates-per-window=2", "--chat-create-window-s=60"]);
        let ann = UserId::from_uuid(uuid::Uuid::now_v7());
        assert!(limits.create_chat(ann).is_ok());
        assert!(limits.create_chat(ann).is_ok());
        let Err(ApiError::RateLimited { retry_after, .. }) = limits.create_chat(ann) else {
            panic!("the window is spent");
        };
        // One creation comes back every 30 s.
        assert!(retry_after > Duration::from_secs(29), "{retry_after:?}");
    }

    #[test]
    fn a_zero_rate_is_refused_at_start() {
        let args = [
            "command-api",
            "--database-url=x",
            "--kafka-brokers=k",
            "--cql-nodes=c",
        ];
        let parsed = Config::try_parse_from(args.iter().chain(&["--write-rate-per-s=0"]));
        assert!(parsed.is_err());
    }
}
