//! Events: the facts a chat emits, and the Kafka/WebSocket wire contract.
//!
//! The seed's 16 events and `telegram_link_changed`, each a struct wrapped by a
//! [`ChatEvent`] variant of the same name. JSON is internally tagged with the type name
//! the event table gives it (`{"type":"message_sent", ...}`), fields are snake_case,
//! times are RFC 3339. Every payload carries `chat_id` and `version` (the chat's version
//! after the event: 1, 2, 3, ...).
//!
//! Each fact of an event is declared once: its type name and projection kind in the
//! table below, its time and its effects on membership, message index and files in its
//! payload's [`EventPayload`] impl. A new event is its struct with that impl and one
//! table line; the compiler then asks for its state change (`EventPayload::apply_to`,
//! which `evolve` folds) and every exhaustive match (the projection plans) to decide it.
//!
//! Evolution rules: additive changes only. New optional fields get `#[serde(default)]`
//! so older payloads still read; unknown fields are ignored (no `deny_unknown_fields`).
//! A breaking change is a new variant plus an upcaster, never an edit of an old one.
//! The golden files in `tests/golden/` pin the wire form.

mod lifecycle;
mod messages;
mod participants;
mod payload;
mod table;
mod telegram;

pub use lifecycle::{ChatArchived, ChatCreated, ChatHardDeleted, ChatRestored, ChatUpdated};
pub use messages::{MessageDeleted, MessageEdited, MessageSent, MessagesMarkedAsRead};
pub use participants::{
    ParticipantAdded, ParticipantLeft, ParticipantRemoved, ParticipantRoleChanged,
};
pub use payload::EventPayload;
pub use telegram::{
    TelegramChatLinked, TelegramChatUnlinked, TelegramLinkChange, TelegramLinkChanged,
    TelegramMessageReceived,
};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::chat::attachment::Attachment;
use crate::chat::facts::MessageChange;
use crate::chat::membership::MembershipChange;
use crate::chat::state::ChatData;
use crate::ids::ChatId;
use crate::projection::ProjectionKind;

/// Version of the event schema (the envelope's `schema_version`). Bumped only when a
/// variant is superseded and an upcaster is needed; additive changes keep it.
///
/// Additive changes under version 1, each pinned by golden files:
/// - `telegram_link_changed` (a new event);
/// - media messages: `message_type` gains `image`, `file` and `voice`, and
///   `message_sent` / `telegram_message_received` gain an optional `attachment`
///   (absent for text, so text events read and write exactly as before;
///   `*_media.json` golden files).
pub const SCHEMA_VERSION: u32 = 1;

// The event table: each event's type name and projection kind, once. The seed's order,
// then the events added since. Everything else an event says about itself is its
// payload's `EventPayload` impl, beside its struct. (The `($)` lends the table a `$` for
// the macro it writes, `for_each_chat_event!`.)
table::chat_events! {
    ($)
    ChatCreated = "chat_created", Sync;
    ChatUpdated = "chat_updated", Async;
    ChatArchived = "chat_archived", Async;
    ChatRestored = "chat_restored", Async;
    ChatHardDeleted = "chat_hard_deleted", Async;
    MessageSent = "message_sent", Sync;
    MessageEdited = "message_edited", Async;
    MessageDeleted = "message_deleted", Async;
    MessagesMarkedAsRead = "messages_marked_as_read", Async;
    ParticipantAdded = "participant_added", Sync;
    ParticipantRemoved = "participant_removed", Async;
    ParticipantRoleChanged = "participant_role_changed", Async;
    ParticipantLeft = "participant_left", Async;
    TelegramChatLinked = "telegram_chat_linked", Async;
    TelegramChatUnlinked = "telegram_chat_unlinked", Async;
    TelegramMessageReceived = "telegram_message_received", Sync;
    TelegramLinkChanged = "telegram_link_changed", Async;
}

impl ChatEvent {
    /// When the event happened (the time of the command that caused it).
    #[must_use]
    pub fn occurred_at(&self) -> OffsetDateTime {
        self.payload().occurred_at()
    }

    /// How this event changes the chat's membership (`None`: it does not). Archive and
    /// restore do not: participants of an archived chat still read it.
    #[must_use]
    pub fn membership_change(&self) -> Option<MembershipChange> {
        self.payload().membership_change()
    }

    /// How this event changes the message index (`None`: it does not).
    #[must_use]
    pub fn message_change(&self) -> Option<MessageChange<'_>> {
        self.payload().message_change()
    }

    /// How this event changes the data of an active or archived chat (see
    /// [`EventPayload::apply_to`]).
    pub(crate) fn apply_to(&self, data: &mut ChatData) {
        self.payload().apply_to(data);
    }

    /// The file of a media message this event sends (`None` for every other event).
    #[must_use]
    pub fn attachment(&self) -> Option<&Attachment> {
        self.payload().attachment()
    }
}
