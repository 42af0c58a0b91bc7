//! The participant list view: who is in a chat, with which role. The gateway routes a
//! chat's events to exactly these users.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use super::{ApplyOutcome, guard};
use crate::{
    chat::{ChatEvent, Role},
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

    /// Applies one event (idempotent: see the module docs). A hard-deleted chat has
    /// no participants.
    pub fn apply(&mut self, event: &ChatEvent) -> ApplyOutcome {
        if let Some(skipped) = guard(self.chat_id, self.version, event) {
            return skipped;
        }
        match event {
            ChatEvent::ParticipantAdded(e) => {
                self.participants.insert(
                    e.user_id,
                    ParticipantEntry {
                        role: e.role,
                        added_by: e.added_by,
                        joined_at: e.joined_at,
                        joined_version: e.version,
                    },
                );
            }
            ChatEvent::ParticipantRemoved(e) => {
                self.participants.remove(&e.user_id);
            }
            ChatEvent::ParticipantLeft(e) => {
                self.participants.remove(&e.user_id);
            }
            ChatEvent::ParticipantRoleChanged(e) => {
                if let Some(p) = self.participants.get_mut(&e.user_id) {
                    p.role = e.role;
                }
            }
            ChatEvent::ChatHardDeleted(_) => self.participants.clear(),
            ChatEvent::ChatCreated(_)
            | ChatEvent::ChatUpdated(_)
            | ChatEvent::ChatArchived(_)
            | ChatEvent::ChatRestored(_)
            | ChatEvent::MessageSent(_)
            | ChatEvent::MessageEdited(_)
            | ChatEvent::MessageDeleted(_)
            | ChatEvent::MessagesMarkedAsRead(_)
            | ChatEvent::TelegramChatLinked(_)
            | ChatEvent::TelegramChatUnlinked(_)
            | ChatEvent::TelegramMessageReceived(_)
            | ChatEvent::TelegramLinkChanged(_) => {}
        }
        self.version = event.version();
        ApplyOutcome::Applied
    }
}
