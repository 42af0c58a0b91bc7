//! SYNC / ASYNC classification of events (the seed's tables), as data. Each event's kind
//! is declared once, in the event table (`chat/events/mod.rs`), which also yields
//! [`EVENT_TYPES`] and [`ChatEvent::projection_kind`](crate::ChatEvent::projection_kind).
//!
//! SYNC events are applied by projector-sync, and command-api waits (bounded) until
//! they are applied before answering, so the caller reads its own write. ASYNC events
//! are applied by projector-async, eventually.

use serde::{Deserialize, Serialize};

pub use crate::chat::events::EVENT_TYPES;

/// How an event is projected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectionKind {
    /// Read-your-writes: projected before the HTTP call returns.
    Sync,
    /// Eventually consistent.
    Async,
}

/// The projection kind of an event type name; `None` for an unknown type (a consumer
/// older than the producer should skip it, not fail).
#[must_use]
pub fn projection_kind(event_type: &str) -> Option<ProjectionKind> {
    EVENT_TYPES
        .iter()
        .find(|(name, _)| *name == event_type)
        .map(|(_, kind)| *kind)
}

impl ProjectionKind {
    /// `"sync"` or `"async"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Sync => "sync",
            Self::Async => "async",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_sync_and_thirteen_async_events_the_seeds_twelve_and_telegram_link_changed() {
        let sync = EVENT_TYPES
            .iter()
            .filter(|(_, k)| *k == ProjectionKind::Sync)
            .count();
        assert_eq!((sync, EVENT_TYPES.len() - sync), (4, 13));
        assert_eq!(
            projection_kind("telegram_link_changed"),
            Some(ProjectionKind::Async)
        );
        assert_eq!(projection_kind("message_sent"), Some(ProjectionKind::Sync));
        assert_eq!(
            projection_kind("message_edited"),
            Some(ProjectionKind::Async)
        );
        assert_eq!(projection_kind("no_such_event"), None);
    }
}
