//! The chat's state: a lifecycle enum folded from its events by `evolve`.
//!
//! [`ChatData`] keeps what the rules need of the chat itself: participants and roles,
//! read positions, and the Telegram link. Fields are crate-private so no caller can build
//! a state that `evolve` would not; read them through the accessors.
//!
//! Its size grows with the participants, never with the messages: what a rule needs of
//! a message (author, position, current text) comes from the write side's message index
//! as [`MessageFacts`](crate::chat::facts::MessageFacts). So the write path can keep
//! states in memory and snapshot them cheaply at any age of the chat. Snapshots written
//! before the index existed hold message maps; their extra fields are ignored on load.

use std::collections::BTreeMap;

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

    /// Roughly how many bytes the state takes in memory, for caches bounded by bytes. It
    /// grows with participants and read positions, never with messages.
    #[must_use]
    pub fn approx_bytes(&self) -> usize {
        // A B-tree entry costs its key and value plus about this much of its node.
        const NODE_SHARE: usize = 16;
        let base = size_of::<Self>();
        match self {
            Self::Active(d) | Self::Archived(d) => {
                base + d.name.as_ref().map_or(0, String::capacity)
                    + d.participants.len() * (size_of::<(UserId, Participant)>() + NODE_SHARE)
                    + d.read_positions.len() * (size_of::<(UserId, ReadPosition)>() + NODE_SHARE)
            }
            Self::Absent | Self::Deleted(_) => base,
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
    /// The system: a notice (`TelegramLinkChanged`); nobody edits it, admins delete it.
    System,
}

/// What the message index knows of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageRecord {
    /// The version of the event that sent it: its position in the chat.
    pub position: u64,
    /// Its author.
    pub author: MessageAuthor,
    /// Its current text; `None` once deleted.
    pub content: Option<String>,
    /// The object key of a media message's file, kept after a delete until the object
    /// is removed (edits need to know a caption may be empty; housekeeping, what to
    /// remove).
    #[serde(default)]
    pub attachment_key: Option<String>,
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
    /// Kept when a user leaves, so a returning user's position never moves back.
    pub(crate) read_positions: BTreeMap<UserId, ReadPosition>,
    pub(crate) telegram: Option<TelegramLink>,
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

    /// The position after which messages are unread for `user`: the later of their
    /// read position and the version that (last) added them. `None` for non-participants.
    #[must_use]
    pub fn read_floor(&self, user: UserId) -> Option<u64> {
        let joined = self.participants.get(&user)?.joined_version;
        let read = self.read_position(user).map_or(0, |r| r.message_version);
        Some(read.max(joined))
    }
}
