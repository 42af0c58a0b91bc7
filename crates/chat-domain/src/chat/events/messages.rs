//! Message events: sent, edited, deleted, marked as read.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::EventPayload;
use crate::{
    actor::Actor,
    chat::attachment::Attachment,
    chat::facts::MessageChange,
    chat::state::{ChatData, MessageAuthor, ReadPosition},
    chat::types::{MessageSource, MessageType},
    ids::{ChatId, MessageId, UserId},
};

/// A participant sent a message (SYNC). The message's position in the chat is this
/// event's `version`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageSent {
    /// The chat.
    pub chat_id: ChatId,
    /// The chat's version after this event (also the message's position).
    pub version: u64,
    /// The message (TIMEUUID).
    pub message_id: MessageId,
    /// The sender.
    pub sender_id: UserId,
    /// The sender's display name, if the JWT had one.
    #[serde(default)]
    pub sender_name: Option<String>,
    /// The text; a media message's caption (then it may be empty).
    pub content: String,
    /// The content type (`"text"`, or the media kind).
    #[serde(default)]
    pub message_type: MessageType,
    /// A media message's file (absent for text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<Attachment>,
    /// The message replied to, if any.
    #[serde(default)]
    pub reply_to: Option<MessageId>,
    /// Always `chat` here (Telegram messages are `TelegramMessageReceived`); kept so
    /// both message events project through the same code.
    pub source: MessageSource,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A message was edited (ASYNC). Carries the previous content: the edit history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageEdited {
    /// The chat.
    pub chat_id: ChatId,
    /// The chat's version after this event.
    pub version: u64,
    /// The edited message.
    pub message_id: MessageId,
    /// The new text.
    pub content: String,
    /// The text before this edit.
    pub previous_content: String,
    /// The sender, or the Telegram bridge for a Telegram message.
    pub edited_by: Actor,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub edited_at: OffsetDateTime,
}

/// A message was deleted (ASYNC; soft delete: the message stays, marked deleted).
///
/// Unread counts: the deleted message stops counting as unread for every participant
/// who had it unread, i.e. each participant other than `sender_id` whose read position
/// and join version are both before `message_version`. Each such count drops by one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageDeleted {
    /// The chat.
    pub chat_id: ChatId,
    /// The chat's version after this event.
    pub version: u64,
    /// The deleted message.
    pub message_id: MessageId,
    /// Its sender; `None` for a Telegram message.
    #[serde(default)]
    pub sender_id: Option<UserId>,
    /// The chat version that sent it (its position), for the unread-count fold.
    pub message_version: u64,
    /// The sender, an admin, or the Telegram bridge.
    pub deleted_by: Actor,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub deleted_at: OffsetDateTime,
}

/// A participant's read position moved forward (ASYNC). Carries the resulting exact
/// unread count, so views set it instead of recomputing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessagesMarkedAsRead {
    /// The chat.
    pub chat_id: ChatId,
    /// The chat's version after this event.
    pub version: u64,
    /// The reader.
    pub user_id: UserId,
    /// The new last read message.
    pub last_read_message_id: MessageId,
    /// The chat version that sent that message (its position).
    pub last_read_message_version: u64,
    /// How many unread messages this marked read.
    pub marked_count: u64,
    /// The reader's unread count after this event.
    pub unread_count: u64,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub read_at: OffsetDateTime,
}

impl EventPayload for MessageSent {
    fn occurred_at(&self) -> OffsetDateTime {
        self.created_at
    }

    // Messages live in the write side's message index, not in the state.
    fn apply_to(&self, _data: &mut ChatData) {}

    fn message_change(&self) -> Option<MessageChange<'_>> {
        Some(MessageChange::added(
            self.message_id,
            self.version,
            MessageAuthor::User(self.sender_id),
            self.content.clone(),
            self.attachment.as_ref(),
            None,
        ))
    }

    fn attachment(&self) -> Option<&Attachment> {
        self.attachment.as_ref()
    }
}

impl EventPayload for MessageEdited {
    fn occurred_at(&self) -> OffsetDateTime {
        self.edited_at
    }

    // Messages live in the write side's message index, not in the state.
    fn apply_to(&self, _data: &mut ChatData) {}

    fn message_change(&self) -> Option<MessageChange<'_>> {
        Some(MessageChange::Edited {
            id: self.message_id,
            content: &self.content,
        })
    }
}

impl EventPayload for MessageDeleted {
    fn occurred_at(&self) -> OffsetDateTime {
        self.deleted_at
    }

    // Messages live in the write side's message index, not in the state.
    fn apply_to(&self, _data: &mut ChatData) {}

    fn message_change(&self) -> Option<MessageChange<'_>> {
        Some(MessageChange::Deleted {
            id: self.message_id,
        })
    }
}

// A read position lives in the state and the unread ledger, not in the message index.
impl EventPayload for MessagesMarkedAsRead {
    fn occurred_at(&self) -> OffsetDateTime {
        self.read_at
    }

    fn apply_to(&self, data: &mut ChatData) {
        data.read_positions.insert(
            self.user_id,
            ReadPosition {
                message_id: self.last_read_message_id,
                message_version: self.last_read_message_version,
            },
        );
    }
}
