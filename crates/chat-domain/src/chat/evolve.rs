//! `evolve`: folds one event into the state. No rules and no errors: an event was
//! decided once and is a fact. Events that cannot apply to the current lifecycle stage
//! (which `decide` never emits) leave the state unchanged, so `evolve` is total.

use crate::chat::{
    events::{ChatCreated, ChatEvent},
    membership::{Joining, Member, fold_membership},
    state::{ChatData, ChatState, Participant, ReadPosition, Tombstone},
    types::{Role, TelegramLink},
};

/// Folds `event` into `state`.
pub(crate) fn evolve(state: ChatState, event: &ChatEvent) -> ChatState {
    match (state, event) {
        (ChatState::Absent, ChatEvent::ChatCreated(e)) => ChatState::Active(ChatData::created(e)),
        (ChatState::Active(mut data), ChatEvent::ChatArchived(e)) => {
            data.version = e.version;
            ChatState::Archived(data)
        }
        (ChatState::Archived(mut data), ChatEvent::ChatRestored(e)) => {
            data.version = e.version;
            ChatState::Active(data)
        }
        (ChatState::Active(data) | ChatState::Archived(data), ChatEvent::ChatHardDeleted(e)) => {
            ChatState::Deleted(Tombstone {
                chat_id: data.id,
                version: e.version,
            })
        }
        (ChatState::Active(mut data), event) => {
            data.apply(event);
            ChatState::Active(data)
        }
        (ChatState::Archived(mut data), event) => {
            data.apply(event);
            ChatState::Archived(data)
        }
        (state @ (ChatState::Absent | ChatState::Deleted(_)), _) => state,
    }
}

impl ChatData {
    fn created(e: &ChatCreated) -> Self {
        Self {
            id: e.chat_id,
            chat_type: e.chat_type,
            name: e.name.clone(),
            company_id: e.company_id,
            created_by: e.created_by,
            created_at: e.created_at,
            version: e.version,
            participants: Default::default(),
            read_positions: Default::default(),
            telegram: None,
        }
    }

    /// Applies an event that does not change the lifecycle stage.
    fn apply(&mut self, event: &ChatEvent) {
        match event {
            // Lifecycle transitions are handled by `evolve`; here they only arrive in a
            // stage they cannot apply to (never emitted by `decide`) and are ignored.
            ChatEvent::ChatCreated(_)
            | ChatEvent::ChatArchived(_)
            | ChatEvent::ChatRestored(_)
            | ChatEvent::ChatHardDeleted(_) => return,
            ChatEvent::ChatUpdated(e) => {
                if let Some(name) = &e.name {
                    self.name = Some(name.clone());
                }
            }
            // Messages live in the write side's message index, not in the state, and
            // membership changes are the one membership fold's, below.
            ChatEvent::MessageSent(_)
            | ChatEvent::TelegramMessageReceived(_)
            | ChatEvent::MessageEdited(_)
            | ChatEvent::MessageDeleted(_)
            | ChatEvent::ParticipantAdded(_)
            | ChatEvent::ParticipantRemoved(_)
            | ChatEvent::ParticipantLeft(_)
            | ChatEvent::ParticipantRoleChanged(_) => {}
            ChatEvent::MessagesMarkedAsRead(e) => {
                self.read_positions.insert(
                    e.user_id,
                    ReadPosition {
                        message_id: e.last_read_message_id,
                        message_version: e.last_read_message_version,
                    },
                );
            }
            ChatEvent::TelegramChatLinked(e) => {
                self.telegram = Some(TelegramLink {
                    telegram_chat_id: e.telegram_chat_id,
                    telegram_topic_id: e.telegram_topic_id,
                });
            }
            ChatEvent::TelegramChatUnlinked(_) => self.telegram = None,
            ChatEvent::TelegramLinkChanged(e) => {
                self.telegram = self.telegram.map(|link| e.change.applied_to(link));
            }
        }
        fold_membership(&mut self.participants, event);
        self.version = event.version();
    }
}

/// The state keeps of a member their role and the version that (last) added them.
impl Member for Participant {
    fn joined(joining: Joining) -> Self {
        Self {
            role: joining.role,
            joined_version: joining.version,
        }
    }

    fn set_role(&mut self, role: Role) {
        self.role = role;
    }
}
