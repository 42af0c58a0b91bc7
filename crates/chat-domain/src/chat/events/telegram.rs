//! Telegram bridge events: linked, unlinked, message received.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::EventPayload;
use crate::chat::state::ChatData;
use crate::{
    chat::attachment::Attachment,
    chat::facts::MessageChange,
    chat::state::MessageAuthor,
    chat::types::{MessageSource, MessageType, TelegramLink},
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
    /// Always `telegram`.
    pub source: MessageSource,
    /// When it was received.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// The link changed outside the chat (ASYNC), as the bridge found it: the bot lost the
/// supergroup or regained it, or Telegram moved a basic group to the supergroup it was
/// upgraded to (the link follows). The chat shows it as a notice: a message of source
/// `system` with id `notice_id` at this event's version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TelegramLinkChanged {
    /// The chat.
    pub chat_id: ChatId,
    /// The chat's version after this event (also the notice's position).
    pub version: u64,
    /// The group the link named when this happened.
    pub telegram_chat_id: i64,
    /// The forum topic the link names, if any.
    #[serde(default)]
    pub telegram_topic_id: Option<i64>,
    /// What happened.
    pub change: TelegramLinkChange,
    /// The notice's message id (TIMEUUID made by command-api).
    pub notice_id: MessageId,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub changed_at: OffsetDateTime,
}

/// What happened to a Telegram link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TelegramLinkChange {
    /// The bot lost the group (removed, banned, not allowed to write): nothing is
    /// mirrored either way until it is let back in.
    Broken {
        /// Telegram's answer (`CHANNEL_PRIVATE`, `USER_NOT_PARTICIPANT`, ...).
        reason: String,
    },
    /// The bot reaches the group again: mirroring goes on.
    Restored,
    /// Telegram upgraded the basic group to a supergroup: the link now names it.
    Moved {
        /// The supergroup (Bot API id, `-100…`).
        to_telegram_chat_id: i64,
    },
}

impl TelegramLinkChange {
    /// The link after this change: a move names the supergroup, anything else keeps it.
    #[must_use]
    pub const fn applied_to(&self, link: TelegramLink) -> TelegramLink {
        match self {
            Self::Moved {
                to_telegram_chat_id,
            } => TelegramLink {
                telegram_chat_id: *to_telegram_chat_id,
                ..link
            },
            Self::Broken { .. } | Self::Restored => link,
        }
    }

    /// The notice the chat shows for it.
    #[must_use]
    pub fn notice(&self) -> String {
        match self {
            Self::Broken { reason } => format!(
                "Telegram: the bot lost access to the linked group ({reason}); messages are not \
                 mirrored until it is added back"
            ),
            Self::Restored => {
                "Telegram: the bot is back in the linked group; mirroring goes on".to_owned()
            }
            Self::Moved {
                to_telegram_chat_id,
            } => format!(
                "Telegram: the linked group was upgraded to a supergroup; the link follows it \
                 ({to_telegram_chat_id})"
            ),
        }
    }
}

impl EventPayload for TelegramChatLinked {
    fn occurred_at(&self) -> OffsetDateTime {
        self.linked_at
    }

    fn apply_to(&self, data: &mut ChatData) {
        data.telegram = Some(TelegramLink {
            telegram_chat_id: self.telegram_chat_id,
            telegram_topic_id: self.telegram_topic_id,
        });
    }
}

impl EventPayload for TelegramChatUnlinked {
    fn occurred_at(&self) -> OffsetDateTime {
        self.unlinked_at
    }

    fn apply_to(&self, data: &mut ChatData) {
        data.telegram = None;
    }
}

impl EventPayload for TelegramMessageReceived {
    fn occurred_at(&self) -> OffsetDateTime {
        self.created_at
    }

    // Messages live in the write side's message index, not in the state.
    fn apply_to(&self, _data: &mut ChatData) {}

    fn message_change(&self) -> Option<MessageChange<'_>> {
        Some(MessageChange::added(
            self.message_id,
            self.version,
            MessageAuthor::Telegram {
                telegram_user_id: self.telegram_user_id,
            },
            self.content.clone(),
            self.attachment.as_ref(),
            Some((self.telegram_chat_id, self.telegram_message_id)),
        ))
    }

    fn attachment(&self) -> Option<&Attachment> {
        self.attachment.as_ref()
    }
}

// The notice a link change posts is a message of the chat, by the system.
impl EventPayload for TelegramLinkChanged {
    fn occurred_at(&self) -> OffsetDateTime {
        self.changed_at
    }

    fn apply_to(&self, data: &mut ChatData) {
        data.telegram = data.telegram.map(|link| self.change.applied_to(link));
    }

    fn message_change(&self) -> Option<MessageChange<'_>> {
        Some(MessageChange::added(
            self.notice_id,
            self.version,
            MessageAuthor::System,
            self.change.notice(),
            None,
            None,
        ))
    }
}
