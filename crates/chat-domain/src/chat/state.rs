//! The chat's state: a lifecycle enum folded from its events by `evolve`.
//!
//! [`ChatData`] keeps exactly what the rules need: participants and roles, every
//! message's position, author and current text (the text is needed to put the previous
//! content into `MessageEdited`; it is dropped when the message is deleted), read
//! positions, and the Telegram link. Fields are crate-private so no caller can build a
//! state that `evolve` would not; read them through the accessors.
//!
//! Memory grows with the chat's history (ids, positions and live texts). That is the
//! price of exact edit history and unread counts decided in one place; the write path
//! may snapshot or cache states (the state serialises with serde for that), the domain
//! does not decide when.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{
    chat::types::{ChatType, Role, TelegramLink},
    ids::{ChatId, CompanyId, MessageId, UserId},
};

/// The lifecycle of a chat.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ChatState {
    /// No event yet: only `CreateChat` is possible.
    #[default]
    Absent,
    /// Created and usable.
    Active(ChatData),
    /// Archived: only restore or hard delete.
    Archived(ChatData),
    /// Hard-deleted: nothing is possible any more.
    Deleted(Tombstone),
}

impl ChatState {
    /// The version of the last event folded in (0 when absent). The write path appends
    /// the next decision with this as its expected version.
    #[must_use]
    pub const fn version(&self) -> u64 {
        match self {
            Self::Absent => 0,
            Self::Active(d) | Self::Archived(d) => d.version,
            Self::Deleted(t) => t.version,
        }
    }

    /// The chat's id, once created.
    #[must_use]
    pub const fn chat_id(&self) -> Option<ChatId> {
        match self {
            Self::Absent => None,
            Self::Active(d) | Self::Archived(d) => Some(d.id),
            Self::Deleted(t) => Some(t.chat_id),
        }
    }

    /// The chat's data when it is active or archived.
    #[must_use]
    pub const fn data(&self) -> Option<&ChatData> {
        match self {
            Self::Active(d) | Self::Archived(d) => Some(d),
            Self::Absent | Self::Deleted(_) => None,
        }
    }
}

/// What is left of a hard-deleted chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tombstone {
    /// The deleted chat.
    pub chat_id: ChatId,
    /// The version of its `ChatHardDeleted` event (its last).
    pub version: u64,
}

/// A participant's membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    /// Their role.
    pub role: Role,
    /// The version of the `ParticipantAdded` that (last) added them: messages at or
    /// before it are never unread for them.
    pub joined_version: u64,
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MessageAuthor {
    /// A platform user (`MessageSent`).
    User(UserId),
    /// A Telegram user, through the bridge (`TelegramMessageReceived`).
    Telegram {
        /// The Telegram user id.
        telegram_user_id: i64,
    },
}

/// What the aggregate remembers of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageRecord {
    /// The version of the event that sent it: its position in the chat.
    pub position: u64,
    /// Its author.
    pub author: MessageAuthor,
    /// Its current text; `None` once deleted.
    pub content: Option<String>,
}

impl MessageRecord {
    /// Whether the message was deleted.
    #[must_use]
    pub const fn is_deleted(&self) -> bool {
        self.content.is_none()
    }
}

/// A user's read position: the last message they read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadPosition {
    /// The last read message.
    pub message_id: MessageId,
    /// Its position (the version that sent it).
    pub message_version: u64,
}

/// The data of an existing (active or archived) chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatData {
    pub(crate) id: ChatId,
    pub(crate) chat_type: ChatType,
    pub(crate) name: Option<String>,
    pub(crate) company_id: Option<CompanyId>,
    pub(crate) created_by: UserId,
    pub(crate) created_at: OffsetDateTime,
    pub(crate) version: u64,
    pub(crate) participants: BTreeMap<UserId, Participant>,
    pub(crate) messages: BTreeMap<MessageId, MessageRecord>,
    /// Position -> message: the chat's message order (send order, not UUID order).
    pub(crate) order: BTreeMap<u64, MessageId>,
    /// Kept when a user leaves, so a returning user's position never moves back.
    pub(crate) read_positions: BTreeMap<UserId, ReadPosition>,
    pub(crate) telegram: Option<TelegramLink>,
    /// (supergroup id, Telegram message id) of every received Telegram message.
    pub(crate) telegram_messages: BTreeSet<(i64, i64)>,
}

impl ChatData {
    /// The chat's id.
    #[must_use]
    pub const fn id(&self) -> ChatId {
        self.id
    }

    /// The chat's type.
    #[must_use]
    pub const fn chat_type(&self) -> ChatType {
        self.chat_type
    }

    /// The chat's name.
    #[must_use]
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The owning company.
    #[must_use]
    pub const fn company_id(&self) -> Option<CompanyId> {
        self.company_id
    }

    /// The creator.
    #[must_use]
    pub const fn created_by(&self) -> UserId {
        self.created_by
    }

    /// When it was created.
    #[must_use]
    pub const fn created_at(&self) -> OffsetDateTime {
        self.created_at
    }

    /// The version of the last event folded in.
    #[must_use]
    pub const fn version(&self) -> u64 {
        self.version
    }

    /// A user's role, if they are a participant.
    #[must_use]
    pub fn role_of(&self, user: UserId) -> Option<Role> {
        self.participants.get(&user).map(|p| p.role)
    }

    /// A user's membership, if they are a participant.
    #[must_use]
    pub fn participant(&self, user: UserId) -> Option<&Participant> {
        self.participants.get(&user)
    }

    /// Every participant with their role, in user-id order.
    pub fn participants(&self) -> impl Iterator<Item = (UserId, Role)> + '_ {
        self.participants.iter().map(|(u, p)| (*u, p.role))
    }

    /// The number of participants.
    #[must_use]
    pub fn participant_count(&self) -> usize {
        self.participants.len()
    }

    /// The number of admins.
    #[must_use]
    pub fn admin_count(&self) -> usize {
        self.participants
            .values()
            .filter(|p| p.role == Role::Admin)
            .count()
    }

    /// A message of this chat (deleted ones included).
    #[must_use]
    pub fn message(&self, id: MessageId) -> Option<&MessageRecord> {
        self.messages.get(&id)
    }

    /// Message ids in send order (deleted ones included).
    pub fn message_ids(&self) -> impl Iterator<Item = MessageId> + '_ {
        self.order.values().copied()
    }

    /// A user's read position (kept after they leave).
    #[must_use]
    pub fn read_position(&self, user: UserId) -> Option<ReadPosition> {
        self.read_positions.get(&user).copied()
    }

    /// The Telegram link, if any.
    #[must_use]
    pub const fn telegram_link(&self) -> Option<TelegramLink> {
        self.telegram
    }

    /// The exact unread count of a user: the non-deleted messages not written by them,
    /// sent after they joined and after their read position. 0 for non-participants.
    #[must_use]
    pub fn unread_count(&self, user: UserId) -> u64 {
        let read = self.read_position(user).map(|r| r.message_version);
        self.unread_after(user, read)
    }

    /// The unread count of `user` if their read position were at `read_version`.
    pub(crate) fn unread_after(&self, user: UserId, read_version: Option<u64>) -> u64 {
        let Some(participant) = self.participants.get(&user) else {
            return 0;
        };
        let floor = read_version.map_or(participant.joined_version, |r| {
            r.max(participant.joined_version)
        });
        let counted = self
            .order
            .range(floor.saturating_add(1)..)
            .filter_map(|(_, id)| self.messages.get(id))
            .filter(|m| !m.is_deleted() && m.author != MessageAuthor::User(user))
            .count();
        u64::try_from(counted).unwrap_or(u64::MAX)
    }
}
