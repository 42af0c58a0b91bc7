//! `evolve`: folds one event into the state. No rules and no errors: an event was
//! decided once and is a fact. Here: the lifecycle stage and what every event does (the
//! membership fold, the version); what one event changes of the data is declared beside
//! it (`EventPayload::apply_to`). Events that cannot apply to the current lifecycle stage
//! (which `decide` never emits) leave the state unchanged, so `evolve` is total.

use crate::chat::{
    events::{ChatCreated, ChatEvent},
    membership::{Joining, Member, fold_membership},
    state::{ChatData, ChatState, Participant, Tombstone},
    types::Role,
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
        // Lifecycle transitions in a stage they cannot apply to (never emitted by
        // `decide`) are ignored.
        (
            state @ (ChatState::Active(_) | ChatState::Archived(_)),
            ChatEvent::ChatCreated(_) | ChatEvent::ChatArchived(_) | ChatEvent::ChatRestored(_),
        ) => state,
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

    /// Applies an event that does not change the lifecycle stage: its own change of the
    /// data (declared beside it, [`ChatEvent::apply_to`]), the one membership fold, and
    /// its version.
    fn apply(&mut self, event: &ChatEvent) {
        event.apply_to(self);
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
