//! The participant list view: who is in a chat, with which role. The gateway routes a
//! chat's events to exactly these users.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use super::{ApplyOutcome, guard};
use crate::{
    chat::{
        ChatEvent, Role,
        membership::{Joining, Member, fold_membership},
    },
    ids::{ChatId, UserId},
};

/// One participant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParticipantEntry {
    /// Their role.
    pub role: Role,
    /// Who added them.
    pub added_by: UserId,
    /// When they joined.
    pub joined_at: OffsetDateTime,
    /// The version of the event that added them.
    pub joined_version: u64,
}

/// A chat's participants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantList {
    /// The chat.
    pub chat_id: ChatId,
    /// The version of the last applied event.
    pub version: u64,
    /// Participants by user.
    pub participants: BTreeMap<UserId, ParticipantEntry>,
}

impl ParticipantList {
    /// An empty list for `chat_id`, before any event.
    #[must_use]
    pub const fn new(chat_id: ChatId) -> Self {
        Self {
            chat_id,
            version: 0,
            participants: BTreeMap::new(),
        }
    }

    /// A user's role, if they participate.
    #[must_use]
    pub fn role_of(&self, user: UserId) -> Option<Role> {
        self.participants.get(&user).map(|p| p.role)
    }

    /// The number of participants.
    #[must_use]
    pub fn len(&self) -> usize {
        self.participants.len()
    }

    /// Whether nobody participates.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.participants.is_empty()
    }

    /// Applies one event (idempotent: see the module docs) with the one membership fold.
    /// A hard-deleted chat has no participants.
    pub fn apply(&mut self, event: &ChatEvent) -> ApplyOutcome {
        if let Some(skipped) = guard(self.chat_id, self.version, event) {
            return skipped;
        }
        fold_membership(&mut self.participants, event);
        self.version = event.version();
        ApplyOutcome::Applied
    }
}

/// The view keeps of a member who added them and when, besides their role.
impl Member for ParticipantEntry {
    fn joined(joining: Joining) -> Self {
        Self {
            role: joining.role,
            added_by: joining.added_by,
            joined_at: joining.joined_at,
            joined_version: joining.version,
        }
    }

    fn set_role(&mut self, role: Role) {
        self.role = role;
    }
}
