//! The reference read models: pure folds of what each view should show, for tests
//! (feature `testing`). The projectors do not run them: they plan their writes from the
//! events (`chat-read-model`'s `plan`); these folds state the same views' meaning
//! simply, so property tests can hold the aggregate's histories against them.
//!
//! Each view stores the version of the last event it applied and ignores any event
//! whose version is not greater (and any event of another chat). Because Kafka keeps a
//! chat's events in order and redelivers at least once, that guard makes every fold
//! idempotent: applying an event twice, or an older event after a newer one, changes
//! nothing, and counters stay exact. Projectors guard their SQL/CQL writes the same way
//! (`UPDATE ... SET ..., last_version = $v WHERE ... AND last_version < $v`).
//!
//! - [`ChatSummary`]: one row per chat (name, type, archived, participant count, last
//!   message, Telegram link).
//! - [`ParticipantList`]: a chat's participants with roles.
//! - [`ReadStatus`] / [`ChatReadStatus`]: a user's read position and exact unread count.

mod chat_summary;
mod participants;
mod read_status;

pub use chat_summary::{ChatSummary, LAST_MESSAGE_PREVIEW_CHARS, LastMessage};
pub use participants::{ParticipantEntry, ParticipantList};
pub use read_status::{ChatReadStatus, ReadStatus};

use crate::{chat::ChatEvent, ids::ChatId};

/// What applying an event to a view did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApplyOutcome {
    /// The event was newer than the view: the view now stands at its version.
    Applied,
    /// The event's version was not newer than the view's (a redelivery): ignored.
    Stale,
    /// The event belongs to another chat: ignored.
    OtherChat,
}

/// The version guard shared by every view.
pub(crate) fn guard(chat_id: ChatId, version: u64, event: &ChatEvent) -> Option<ApplyOutcome> {
    if event.chat_id() != chat_id {
        Some(ApplyOutcome::OtherChat)
    } else if event.version() <= version {
        Some(ApplyOutcome::Stale)
    } else {
        None
    }
}

#[cfg(test)]
mod tests;
