//! Participants: add, remove, leave, change role.

use super::{Decide, Versions, active};
use crate::chat::{
    commands::{AddParticipant, ChangeParticipantRole, LeaveChat, RemoveParticipant},
    errors::ChatError,
    events::{
        ChatEvent, ParticipantAdded, ParticipantLeft, ParticipantRemoved, ParticipantRoleChanged,
    },
    facts::{FactsQuery, MessageFacts},
    state::ChatState,
    types::Role,
};

/// Adds a participant (admins; not in direct chats).
impl Decide for AddParticipant {
    fn facts_query(&self, _state: &ChatState) -> FactsQuery {
        FactsQuery::default()
    }

    fn decide(self, state: &ChatState, _facts: &MessageFacts) -> Result<Vec<ChatEvent>, ChatError> {
        let (data, c) = (active(state)?, &self);
        let admin = data.require_admin(&c.actor)?;
        data.require_not_direct()?;
        if data.role_of(c.user_id).is_some() {
            return Err(ChatError::AlreadyParticipant);
        }
        Ok(vec![ChatEvent::ParticipantAdded(ParticipantAdded {
            chat_id: data.id,
            version: Versions::after(data.version).next(),
            user_id: c.user_id,
            role: c.role,
            added_by: admin,
            joined_at: c.at,
            participant_count: data.count_u32(1),
        })])
    }
}

/// Removes another participant (admins; not in direct chats). An admin never removes
/// themselves (that is leaving, with its last-admin rule); removing another admin keeps
/// the acting admin, so a chat with participants keeps an admin.
impl Decide for RemoveParticipant {
    fn facts_query(&self, _state: &ChatState) -> FactsQuery {
        FactsQuery::default()
    }

    fn decide(self, state: &ChatState, _facts: &MessageFacts) -> Result<Vec<ChatEvent>, ChatError> {
        let (data, c) = (active(state)?, &self);
        let admin = data.require_admin(&c.actor)?;
        data.require_not_direct()?;
        if c.user_id == admin {
            return Err(ChatError::CannotRemoveSelf);
        }
        let role = data
            .role_of(c.user_id)
            .ok_or(ChatError::ParticipantNotFound)?;
        Ok(vec![ChatEvent::ParticipantRemoved(ParticipantRemoved {
            chat_id: data.id,
            version: Versions::after(data.version).next(),
            user_id: c.user_id,
            role,
            removed_by: admin,
            removed_at: c.at,
            participant_count: data.count_u32(-1),
        })])
    }
}

/// Leaves the chat (any participant; not in direct chats). The last admin may leave
/// only as the last participant.
impl Decide for LeaveChat {
    fn facts_query(&self, _state: &ChatState) -> FactsQuery {
        FactsQuery::default()
    }

    fn decide(self, state: &ChatState, _facts: &MessageFacts) -> Result<Vec<ChatEvent>, ChatError> {
        let (data, c) = (active(state)?, &self);
        let (user, role) = data.require_participant(&c.actor)?;
        data.require_not_direct()?;
        if role == Role::Admin && data.admin_count() == 1 && data.participant_count() > 1 {
            return Err(ChatError::LastAdminCannotLeave);
        }
        Ok(vec![ChatEvent::ParticipantLeft(ParticipantLeft {
            chat_id: data.id,
            version: Versions::after(data.version).next(),
            user_id: user,
            role,
            left_at: c.at,
            participant_count: data.count_u32(-1),
        })])
    }
}

/// Changes a participant's role (admins; not in direct chats). The current role decides
/// to no events; the last admin cannot be demoted (even when alone: a chat with
/// participants always has an admin).
impl Decide for ChangeParticipantRole {
    fn facts_query(&self, _state: &ChatState) -> FactsQuery {
        FactsQuery::default()
    }

    fn decide(self, state: &ChatState, _facts: &MessageFacts) -> Result<Vec<ChatEvent>, ChatError> {
        let (data, c) = (active(state)?, &self);
        let admin = data.require_admin(&c.actor)?;
        data.require_not_direct()?;
        let previous_role = data
            .role_of(c.user_id)
            .ok_or(ChatError::ParticipantNotFound)?;
        if previous_role == c.role {
            return Ok(Vec::new());
        }
        if previous_role == Role::Admin && data.admin_count() == 1 {
            return Err(ChatError::LastAdminCannotBeDemoted);
        }
        Ok(vec![ChatEvent::ParticipantRoleChanged(
            ParticipantRoleChanged {
                chat_id: data.id,
                version: Versions::after(data.version).next(),
                user_id: c.user_id,
                role: c.role,
                previous_role,
                changed_by: admin,
                changed_at: c.at,
            },
        )])
    }
}
