//! Small value types shared by commands, events, state and read models.

use serde::{Deserialize, Serialize};

/// The kind of a chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatType {
    /// Exactly two participants, one chat per pair (id from [`crate::direct_chat_id`]).
    Direct,
    /// Any number of participants.
    Group,
    /// A company's chat; carries the company id.
    Company,
}

impl ChatType {
    /// The wire name (`"direct"`, `"group"`, `"company"`), as stored in `chats.chat_type`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::Group => "group",
            Self::Company => "company",
        }
    }

    /// The type of a wire name ([`Self::as_str`]'s inverse); `None` for any other text.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Direct, Self::Group, Self::Company]
            .into_iter()
            .find(|t| t.as_str() == name)
    }
}

/// A participant's role in a chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages the chat: rename, archive, restore, roles, Telegram, removals, hard delete.
    Admin,
    /// Reads and writes messages.
    Member,
    /// Reads only (may still mark messages read).
    Observer,
}

impl Role {
    /// The wire name (`"admin"`, `"member"`, `"observer"`), as stored in `chat_participants.role`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Member => "member",
            Self::Observer => "observer",
        }
    }

    /// The role of a wire name ([`Self::as_str`]'s inverse); `None` for any other text.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Admin, Self::Member, Self::Observer]
            .into_iter()
            .find(|r| r.as_str() == name)
    }

    /// Whether the role may send, edit and delete messages.
    #[must_use]
    pub const fn can_write(self) -> bool {
        match self {
            Self::Admin | Self::Member => true,
            Self::Observer => false,
        }
    }
}

/// The type of a message's content. New variants are additive (consumers must be
/// upgraded before producers emit them); a media message's kind is
/// [`MessageType::media_kind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageType {
    /// Plain text.
    #[default]
    Text,
    /// A picture shown inline, with an optional caption.
    Image,
    /// A file offered for download, with an optional caption.
    File,
    /// A voice note played inline, with an optional caption.
    Voice,
}

impl MessageType {
    /// The wire name (`"text"`, `"image"`, `"file"`, `"voice"`), as stored in the read
    /// models' `message_type`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Image => "image",
            Self::File => "file",
            Self::Voice => "voice",
        }
    }

    /// The type of a wire name ([`Self::as_str`]'s inverse); `None` for any other text.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Text, Self::Image, Self::File, Self::Voice]
            .into_iter()
            .find(|t| t.as_str() == name)
    }
}

/// Where a message was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageSource {
    /// In the chat product (`MessageSent`).
    Chat,
    /// In the linked Telegram supergroup (`TelegramMessageReceived`).
    Telegram,
    /// A notice of the system (`TelegramLinkChanged`): no sender.
    System,
}

/// The Telegram supergroup (and optional forum topic) a chat mirrors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TelegramLink {
    /// The supergroup's id.
    pub telegram_chat_id: i64,
    /// The forum topic's id, when the link is to one topic of a forum supergroup.
    pub telegram_topic_id: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_read_back_and_nothing_else_does() {
        for t in [ChatType::Direct, ChatType::Group, ChatType::Company] {
            assert_eq!(ChatType::from_name(t.as_str()), Some(t));
        }
        for r in [Role::Admin, Role::Member, Role::Observer] {
            assert_eq!(Role::from_name(r.as_str()), Some(r));
        }
        for t in [
            MessageType::Text,
            MessageType::Image,
            MessageType::File,
            MessageType::Voice,
        ] {
            assert_eq!(MessageType::from_name(t.as_str()), Some(t));
        }
        assert_eq!(ChatType::from_name("Group"), None);
        assert_eq!(Role::from_name("overlord"), None);
    }
}
