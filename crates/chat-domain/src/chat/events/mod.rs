//! Events: the facts a chat emits, and the Kafka/WebSocket wire contract.
//!
//! The seed's 16 events and `telegram_link_changed`, each a struct wrapped by a [`ChatEvent`] variant of the same
//! name. JSON is internally tagged with the snake_case name (`{"type":"message_sent",
//! ...}`), fields are snake_case, times are RFC 3339. Every payload carries `chat_id`
//! and `version` (the chat's version after the event: 1, 2, 3, ...).
//!
//! Evolution rules: additive changes only. New optional fields get `#[serde(default)]`
//! so older payloads still read; unknown fields are ignored (no `deny_unknown_fields`).
//! A breaking change is a new variant plus an upcaster, never an edit of an old one.
//! The golden files in `tests/golden/` pin the wire form.

mod lifecycle;
mod messages;
mod participants;
mod telegram;

pub use lifecycle::{ChatArchived, ChatCreated, ChatHardDeleted, ChatRestored, ChatUpdated};
pub use messages::{MessageDeleted, MessageEdited, MessageSent, MessagesMarkedAsRead};
pub use participants::{
    ParticipantAdded, ParticipantLeft, ParticipantRemoved, ParticipantRoleChanged,
};
pub use telegram::{
    TelegramChatLinked, TelegramChatUnlinked, TelegramLinkChange, TelegramLinkChanged,
    TelegramMessageReceived,
};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::chat::attachment::Attachment;
use crate::ids::ChatId;

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

/// Every fact a chat can emit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChatEvent {
    /// `chat_created` (SYNC).
    ChatCreated(ChatCreated),
    /// `chat_updated` (ASYNC).
    ChatUpdated(ChatUpdated),
    /// `chat_archived` (ASYNC).
    ChatArchived(ChatArchived),
    /// `chat_restored` (ASYNC).
    ChatRestored(ChatRestored),
    /// `chat_hard_deleted` (ASYNC).
    ChatHardDeleted(ChatHardDeleted),
    /// `message_sent` (SYNC).
    MessageSent(MessageSent),
    /// `message_edited` (ASYNC).
    MessageEdited(MessageEdited),
    /// `message_deleted` (ASYNC).
    MessageDeleted(MessageDeleted),
    /// `messages_marked_as_read` (ASYNC).
    MessagesMarkedAsRead(MessagesMarkedAsRead),
    /// `participant_added` (SYNC).
    ParticipantAdded(ParticipantAdded),
    /// `participant_removed` (ASYNC).
    ParticipantRemoved(ParticipantRemoved),
    /// `participant_role_changed` (ASYNC).
    ParticipantRoleChanged(ParticipantRoleChanged),
    /// `participant_left` (ASYNC).
    ParticipantLeft(ParticipantLeft),
    /// `telegram_chat_linked` (ASYNC).
    TelegramChatLinked(TelegramChatLinked),
    /// `telegram_chat_unlinked` (ASYNC).
    TelegramChatUnlinked(TelegramChatUnlinked),
    /// `telegram_message_received` (SYNC).
    TelegramMessageReceived(TelegramMessageReceived),
    /// `telegram_link_changed` (ASYNC).
    TelegramLinkChanged(TelegramLinkChanged),
}

/// Runs `$body` with `$e` bound to the payload of whichever variant `$event` is.
macro_rules! with_payload {
    ($event:expr, $e:ident => $body:expr) => {
        match $event {
            ChatEvent::ChatCreated($e) => $body,
            ChatEvent::ChatUpdated($e) => $body,
            ChatEvent::ChatArchived($e) => $body,
            ChatEvent::ChatRestored($e) => $body,
            ChatEvent::ChatHardDeleted($e) => $body,
            ChatEvent::MessageSent($e) => $body,
            ChatEvent::MessageEdited($e) => $body,
            ChatEvent::MessageDeleted($e) => $body,
            ChatEvent::MessagesMarkedAsRead($e) => $body,
            ChatEvent::ParticipantAdded($e) => $body,
            ChatEvent::ParticipantRemoved($e) => $body,
            ChatEvent::ParticipantRoleChanged($e) => $body,
            ChatEvent::ParticipantLeft($e) => $body,
            ChatEvent::TelegramChatLinked($e) => $body,
            ChatEvent::TelegramChatUnlinked($e) => $body,
            ChatEvent::TelegramMessageReceived($e) => $body,
            ChatEvent::TelegramLinkChanged($e) => $body,
        }
    };
}

impl ChatEvent {
    /// The snake_case type name: the serde tag, the envelope's `event_type` and the
    /// WebSocket frame's `t` (a wire contract: never rename).
    #[must_use]
    pub const fn event_type(&self) -> &'static str {
        match self {
            Self::ChatCreated(_) => "chat_created",
            Self::ChatUpdated(_) => "chat_updated",
            Self::ChatArchived(_) => "chat_archived",
            Self::ChatRestored(_) => "chat_restored",
            Self::ChatHardDeleted(_) => "chat_hard_deleted",
            Self::MessageSent(_) => "message_sent",
            Self::MessageEdited(_) => "message_edited",
            Self::MessageDeleted(_) => "message_deleted",
            Self::MessagesMarkedAsRead(_) => "messages_marked_as_read",
            Self::ParticipantAdded(_) => "participant_added",
            Self::ParticipantRemoved(_) => "participant_removed",
            Self::ParticipantRoleChanged(_) => "participant_role_changed",
            Self::ParticipantLeft(_) => "participant_left",
            Self::TelegramChatLinked(_) => "telegram_chat_linked",
            Self::TelegramChatUnlinked(_) => "telegram_chat_unlinked",
            Self::TelegramMessageReceived(_) => "telegram_message_received",
            Self::TelegramLinkChanged(_) => "telegram_link_changed",
        }
    }

    /// The chat the event belongs to (the Kafka record key).
    #[must_use]
    pub const fn chat_id(&self) -> ChatId {
        with_payload!(self, e => e.chat_id)
    }

    /// The chat's version after this event.
    #[must_use]
    pub const fn version(&self) -> u64 {
        with_payload!(self, e => e.version)
    }

    /// The file of a media message this event sends (`None` for every other event).
    #[must_use]
    pub const fn attachment(&self) -> Option<&Attachment> {
        match self {
            Self::MessageSent(e) => e.attachment.as_ref(),
            Self::TelegramMessageReceived(e) => e.attachment.as_ref(),
            Self::ChatCreated(_)
            | Self::ChatUpdated(_)
            | Self::ChatArchived(_)
            | Self::ChatRestored(_)
            | Self::ChatHardDeleted(_)
            | Self::MessageEdited(_)
            | Self::MessageDeleted(_)
            | Self::MessagesMarkedAsRead(_)
            | Self::ParticipantAdded(_)
            | Self::ParticipantRemoved(_)
            | Self::ParticipantRoleChanged(_)
            | Self::ParticipantLeft(_)
            | Self::TelegramChatLinked(_)
            | Self::TelegramChatUnlinked(_)
            | Self::TelegramLinkChanged(_) => None,
        }
    }

    /// When the event happened (the time of the command that caused it).
    #[must_use]
    pub const fn occurred_at(&self) -> OffsetDateTime {
        match self {
            Self::ChatCreated(e) => e.created_at,
            Self::ChatUpdated(e) => e.updated_at,
            Self::ChatArchived(e) => e.archived_at,
            Self::ChatRestored(e) => e.restored_at,
            Self::ChatHardDeleted(e) => e.deleted_at,
            Self::MessageSent(e) => e.created_at,
            Self::MessageEdited(e) => e.edited_at,
            Self::MessageDeleted(e) => e.deleted_at,
            Self::MessagesMarkedAsRead(e) => e.read_at,
            Self::ParticipantAdded(e) => e.joined_at,
            Self::ParticipantRemoved(e) => e.removed_at,
            Self::ParticipantRoleChanged(e) => e.changed_at,
            Self::ParticipantLeft(e) => e.left_at,
            Self::TelegramChatLinked(e) => e.linked_at,
            Self::TelegramChatUnlinked(e) => e.unlinked_at,
            Self::TelegramMessageReceived(e) => e.created_at,
            Self::TelegramLinkChanged(e) => e.changed_at,
        }
    }
}

macro_rules! into_event {
    ($($variant:ident),* $(,)?) => {
        $(impl From<$variant> for ChatEvent {
            fn from(e: $variant) -> Self {
                Self::$variant(e)
            }
        })*
    };
}

into_event!(
    ChatCreated,
    ChatUpdated,
    ChatArchived,
    ChatRestored,
    ChatHardDeleted,
    MessageSent,
    MessageEdited,
    MessageDeleted,
    MessagesMarkedAsRead,
    ParticipantAdded,
    ParticipantRemoved,
    ParticipantRoleChanged,
    ParticipantLeft,
    TelegramChatLinked,
    TelegramChatUnlinked,
    TelegramMessageReceived,
    TelegramLinkChanged,
);
