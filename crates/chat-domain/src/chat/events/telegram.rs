//! Telegram bridge events: linked, unlinked, message received.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{
    chat::types::{MessageSource, MessageType},
    ids::{ChatId, MessageId, UserId},
};

/// The chat now mirrors a Telegram supergroup, optionally one forum topic (ASYNC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TelegramChatLinked {
    /// The chat.
    pub chat_id: ChatId,
    /// The chat's version after this event.
    pub version: u64,
    /// The supergroup.
    pub telegram_chat_id: i64,
    /// The forum topic, if the link is to one topic.
    #[serde(default)]
    pub telegram_topic_id: Option<i64>,
    /// The admin who linked it.
    pub linked_by: UserId,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub linked_at: OffsetDateTime,
}

/// The chat no longer mirrors Telegram (ASYNC). Names the link that ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TelegramChatUnlinked {
    /// The chat.
    pub chat_id: ChatId,
    /// The chat's version after this event.
    pub version: u64,
    /// The supergroup that was linked.
    pub telegram_chat_id: i64,
    /// The forum topic that was linked, if any.
    #[serde(default)]
    pub telegram_topic_id: Option<i64>,
    /// The admin who unlinked it.
    pub unlinked_by: UserId,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub unlinked_at: OffsetDateTime,
}

/// A message written in the linked supergroup arrived through the bridge (SYNC). The
/// message's position in the chat is this event's `version`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TelegramMessageReceived {
    /// The chat.
    pub chat_id: ChatId,
    /// The chat's version after this event (also the message's position).
    pub version: u64,
    /// The message (TIMEUUID made by the bridge).
    pub message_id: MessageId,
    /// The supergroup it came from.
    pub telegram_chat_id: i64,
    /// The forum topic it came from, if any.
    #[serde(default)]
    pub telegram_topic_id: Option<i64>,
    /// Telegram's message id.
    pub telegram_message_id: i64,
    /// The Telegram author's user id.
    pub telegram_user_id: i64,
    /// The Telegram author's display name.
    pub sender_name: String,
    /// The text.
    pub content: String,
    /// The content type (`"text"`).
    #[serde(default)]
    pub message_type: MessageType,
    /// The message replied to, if any.
    #[serde(default)]
    pub reply_to: Option<MessageId>,
    /// Always `telegram`.
    pub source: MessageSource,
    /// When it was received.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}
