//! SYNC / ASYNC classification of events (the seed's tables), as data.
//!
//! SYNC events are applied by projector-sync, and command-api waits (bounded) until
//! they are applied before answering, so the caller reads its own write. ASYNC events
//! are applied by projector-async, eventually.

use serde::{Deserialize, Serialize};

use crate::chat::ChatEvent;

/// How an event is projected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectionKind {
    /// Read-your-writes: projected before the HTTP call returns.
    Sync,
    /// Eventually consistent.
    Async,
}

/// Every event type with its projection kind, in the seed's order (then the ones added
/// since).
pub const EVENT_TYPES: [(&str, ProjectionKind); 17] = [
    ("chat_created", ProjectionKind::Sync),
    ("chat_updated", ProjectionKind::Async),
    ("chat_archived", ProjectionKind::Async),
    ("chat_restored", ProjectionKind::Async),
    ("chat_hard_deleted", ProjectionKind::Async),
    ("message_sent", ProjectionKind::Sync),
    ("message_edited", ProjectionKind::Async),
    ("message_deleted", ProjectionKind::Async),
    ("messages_marked_as_read", ProjectionKind::Async),
    ("participant_added", ProjectionKind::Sync),
    ("participant_removed", ProjectionKind::Async),
    ("participant_role_changed", ProjectionKind::Async),
    ("participant_left", ProjectionKind::Async),
    ("telegram_chat_linked", ProjectionKind::Async),
    ("telegram_chat_unlinked", ProjectionKind::Async),
    ("telegram_message_received", ProjectionKind::Sync),
    ("telegram_link_changed", ProjectionKind::Async),
];

/// The projection kind of an event type name; `None` for an unknown type (a consumer
/// older than the producer should skip it, not fail).
#[must_use]
pub fn projection_kind(event_type: &str) -> Option<ProjectionKind> {
    EVENT_TYPES
        .iter()
        .find(|(name, _)| *name == event_type)
        .map(|(_, kind)| *kind)
}

impl ChatEvent {
    /// How this event is projected.
    #[must_use]
    pub const fn projection_kind(&self) -> ProjectionKind {
        match self {
            Self::ChatCreated(_)
            | Self::MessageSent(_)
            | Self::ParticipantAdded(_)
            | Self::TelegramMessageReceived(_) => ProjectionKind::Sync,
            Self::ChatUpdated(_)
            | Self::ChatArchived(_)
            | Self::ChatRestored(_)
            | Self::ChatHardDeleted(_)
            | Self::MessageEdited(_)
            | Self::MessageDeleted(_)
            | Self::MessagesMarkedAsRead(_)
            | Self::ParticipantRemoved(_)
            | Self::ParticipantRoleChanged(_)
            | Self::ParticipantLeft(_)
            | Self::TelegramChatLinked(_)
            | Self::TelegramChatUnlinked(_)
            | Self::TelegramLinkChanged(_) => ProjectionKind::Async,
        }
    }
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
