//! Chat lifecycle events: created, updated, archived, restored, hard-deleted.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::EventPayload;
use crate::chat::state::ChatData;
use crate::{
    actor::Actor,
    chat::{membership::MembershipChange, types::ChatType},
    ids::{ChatId, CompanyId, UserId},
};

/// A chat was created (SYNC). Always version 1, followed in the same decision by one
/// `ParticipantAdded` per initial participant (the creator first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatCreated {
    /// The chat.
    pub chat_id: ChatId,
    /// The chat's version after this event.
    pub version: u64,
    /// The chat's type.
    pub chat_type: ChatType,
    /// The chat's name, if it has one.
    #[serde(default)]
    pub name: Option<String>,
    /// The owning company (`company` chats).
    #[serde(default)]
    pub company_id: Option<CompanyId>,
    /// The creator (the first admin).
    pub created_by: UserId,
    /// The creator's display name.
    #[serde(default)]
    pub created_by_name: Option<String>,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A chat's metadata changed (ASYNC). Fields that did not change are `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatUpdated {
    /// The chat.
    pub chat_id: ChatId,
    /// The chat's version after this event.
    pub version: u64,
    /// The new name, when it changed.
    #[serde(default)]
    pub name: Option<String>,
    /// The name before this update (when `name` changed).
    #[serde(default)]
    pub previous_name: Option<String>,
    /// The admin who updated it.
    pub updated_by: UserId,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// A chat was archived (ASYNC): from now on only restore or hard delete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatArchived {
    /// The chat.
    pub chat_id: ChatId,
    /// The chat's version after this event.
    pub version: u64,
    /// The admin who archived it.
    pub archived_by: UserId,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub archived_at: OffsetDateTime,
}

/// An archived chat was restored (ASYNC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatRestored {
    /// The chat.
    pub chat_id: ChatId,
    /// The chat's version after this event.
    pub version: u64,
    /// The admin who restored it.
    pub restored_by: UserId,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub restored_at: OffsetDateTime,
}

/// A chat was permanently deleted (ASYNC): the last event of its stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatHardDeleted {
    /// The chat.
    pub chat_id: ChatId,
    /// The chat's version after this event.
    pub version: u64,
    /// The admin or service that deleted it.
    pub deleted_by: Actor,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub deleted_at: OffsetDateTime,
}

impl EventPayload for ChatCreated {
    fn occurred_at(&self) -> OffsetDateTime {
        self.created_at
    }

    // The lifecycle stage it moves is `evolve`'s; the data stays.
    fn apply_to(&self, _data: &mut ChatData) {}
}

impl EventPayload for ChatUpdated {
    fn occurred_at(&self) -> OffsetDateTime {
        self.updated_at
    }

    fn apply_to(&self, data: &mut ChatData) {
        if let Some(name) = &self.name {
            data.name = Some(name.clone());
        }
    }
}

// Archive and restore keep the membership: participants of an archived chat still read it.
impl EventPayload for ChatArchived {
    fn occurred_at(&self) -> OffsetDateTime {
        self.archived_at
    }

    // The lifecycle stage it moves is `evolve`'s; the data stays.
    fn apply_to(&self, _data: &mut ChatData) {}
}

impl EventPayload for ChatRestored {
    fn occurred_at(&self) -> OffsetDateTime {
        self.restored_at
    }

    // The lifecycle stage it moves is `evolve`'s; the data stays.
    fn apply_to(&self, _data: &mut ChatData) {}
}

impl EventPayload for ChatHardDeleted {
    fn occurred_at(&self) -> OffsetDateTime {
        self.deleted_at
    }

    // The lifecycle stage it moves is `evolve`'s; the data stays.
    fn apply_to(&self, _data: &mut ChatData) {}

    fn membership_change(&self) -> Option<MembershipChange> {
        Some(MembershipChange::Dissolved)
    }
}
