//! Participant events: added, removed, role changed, left.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::EventPayload;
use crate::chat::state::ChatData;
use crate::{
    chat::{membership::MembershipChange, types::Role},
    ids::{ChatId, UserId},
};

/// A user joined the chat (SYNC). From this version on they receive its events; their
/// unread count starts at zero (earlier messages are not unread for them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantAdded {
    /// The chat.
    pub chat_id: ChatId,
    /// The chat's version after this event.
    pub version: u64,
    /// The new participant.
    pub user_id: UserId,
    /// Their role.
    pub role: Role,
    /// The admin who added them (the creator for initial participants).
    pub added_by: UserId,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub joined_at: OffsetDateTime,
    /// The number of participants after this event.
    pub participant_count: u32,
}

/// An admin removed a participant (ASYNC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantRemoved {
    /// The chat.
    pub chat_id: ChatId,
    /// The chat's version after this event.
    pub version: u64,
    /// The removed participant.
    pub user_id: UserId,
    /// The role they had.
    pub role: Role,
    /// The admin who removed them.
    pub removed_by: UserId,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub removed_at: OffsetDateTime,
    /// The number of participants after this event.
    pub participant_count: u32,
}

/// An admin changed a participant's role (ASYNC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantRoleChanged {
    /// The chat.
    pub chat_id: ChatId,
    /// The chat's version after this event.
    pub version: u64,
    /// The participant.
    pub user_id: UserId,
    /// The new role.
    pub role: Role,
    /// The role before.
    pub previous_role: Role,
    /// The admin who changed it.
    pub changed_by: UserId,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub changed_at: OffsetDateTime,
}

/// A participant left the chat (ASYNC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantLeft {
    /// The chat.
    pub chat_id: ChatId,
    /// The chat's version after this event.
    pub version: u64,
    /// The participant who left.
    pub user_id: UserId,
    /// The role they had.
    pub role: Role,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub left_at: OffsetDateTime,
    /// The number of participants after this event.
    pub participant_count: u32,
}

impl EventPayload for ParticipantAdded {
    fn occurred_at(&self) -> OffsetDateTime {
        self.joined_at
    }

    // Its membership change is the one membership fold's (`membership_change`).
    fn apply_to(&self, _data: &mut ChatData) {}

    fn membership_change(&self) -> Option<MembershipChange> {
        Some(MembershipChange::Joined {
            user: self.user_id,
            role: self.role,
            added_by: self.added_by,
            joined_at: self.joined_at,
        })
    }
}

impl EventPayload for ParticipantRemoved {
    fn occurred_at(&self) -> OffsetDateTime {
        self.removed_at
    }

    // Its membership change is the one membership fold's (`membership_change`).
    fn apply_to(&self, _data: &mut ChatData) {}

    fn membership_change(&self) -> Option<MembershipChange> {
        Some(MembershipChange::Departed {
            user: self.user_id,
            role: self.role,
        })
    }
}

impl EventPayload for ParticipantRoleChanged {
    fn occurred_at(&self) -> OffsetDateTime {
        self.changed_at
    }

    // Its membership change is the one membership fold's (`membership_change`).
    fn apply_to(&self, _data: &mut ChatData) {}

    fn membership_change(&self) -> Option<MembershipChange> {
        Some(MembershipChange::RoleChanged {
            user: self.user_id,
            role: self.role,
        })
    }
}

impl EventPayload for ParticipantLeft {
    fn occurred_at(&self) -> OffsetDateTime {
        self.left_at
    }

    // Its membership change is the one membership fold's (`membership_change`).
    fn apply_to(&self, _data: &mut ChatData) {}

    fn membership_change(&self) -> Option<MembershipChange> {
        Some(MembershipChange::Departed {
            user: self.user_id,
            role: self.role,
        })
    }
}
