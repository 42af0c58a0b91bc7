//! Chat lifecycle: create, update, archive, restore, hard delete.

use std::collections::BTreeSet;

use super::{Decide, Versions, active, existing};
use crate::{
    actor::Actor,
    chat::{
        commands::{ArchiveChat, CreateChat, HardDeleteChat, RestoreChat, UpdateChat},
        errors::ChatError,
        events::{
            ChatArchived, ChatCreated, ChatEvent, ChatHardDeleted, ChatRestored, ChatUpdated,
            ParticipantAdded,
        },
        facts::{FactsQuery, MessageFacts},
        rules::{limits, require_user},
        state::ChatState,
        types::{ChatType, Role},
    },
    ids::is_direct_chat_id,
};

/// Creates a chat: `ChatCreated` (version 1), then `ParticipantAdded` for the creator
/// (admin) and each other initial participant in id order (members; admins in a
/// direct chat, where both sides are equal).
impl Decide for CreateChat {
    fn facts_query(&self, _state: &ChatState) -> FactsQuery {
        FactsQuery::default()
    }

    fn decide(self, state: &ChatState, _facts: &MessageFacts) -> Result<Vec<ChatEvent>, ChatError> {
        let c = self;
        match state {
            ChatState::Absent => {}
            ChatState::Active(_) | ChatState::Archived(_) => {
                return Err(ChatError::ChatAlreadyExists);
            }
            ChatState::Deleted(_) => return Err(ChatError::ChatDeleted),
        }
        let creator = require_user(&c.actor)?;
        if let Some(name) = &c.name {
            limits::validate_name(name)?;
        }
        let others: BTreeSet<_> = c
            .participants
            .iter()
            .copied()
            .filter(|u| *u != creator)
            .collect();
        let other_role = match c.chat_type {
            ChatType::Direct => {
                let [other] = others.iter().copied().collect::<Vec<_>>()[..] else {
                    return Err(ChatError::DirectChatNeedsTwoParticipants);
                };
                if !is_direct_chat_id(c.chat_id, creator, other) {
                    return Err(ChatError::DirectChatIdMismatch);
                }
                Role::Admin
            }
            ChatType::Company if c.company_id.is_none() => {
                return Err(ChatError::CompanyIdRequired);
            }
            ChatType::Company | ChatType::Group => Role::Member,
        };

        let mut versions = Versions::after(state.version());
        let mut events = vec![ChatEvent::ChatCreated(ChatCreated {
            chat_id: c.chat_id,
            version: versions.next(),
            chat_type: c.chat_type,
            name: c.name,
            company_id: c.company_id,
            created_by: creator,
            created_by_name: c.actor.user_name().map(str::to_owned),
            created_at: c.at,
        })];
        let initial = std::iter::once((creator, Role::Admin))
            .chain(others.into_iter().map(|u| (u, other_role)));
        for (count, (user_id, role)) in (1_u32..).zip(initial) {
            events.push(ChatEvent::ParticipantAdded(ParticipantAdded {
                chat_id: c.chat_id,
                version: versions.next(),
                user_id,
                role,
                added_by: creator,
                joined_at: c.at,
                participant_count: count,
            }));
        }
        Ok(events)
    }
}

/// Updates metadata (admins). A name equal to the current one is no change; no change
/// at all decides to no events.
impl Decide for UpdateChat {
    fn facts_query(&self, _state: &ChatState) -> FactsQuery {
        FactsQuery::default()
    }

    fn decide(self, state: &ChatState, _facts: &MessageFacts) -> Result<Vec<ChatEvent>, ChatError> {
        let (data, c) = (active(state)?, self);
        let admin = data.require_admin(&c.actor)?;
        let name = match c.name {
            Some(name) => {
                limits::validate_name(&name)?;
                (data.name() != Some(name.as_str())).then_some(name)
            }
            None => None,
        };
        if name.is_none() {
            return Ok(Vec::new());
        }
        let previous_name = name.as_ref().and(data.name.clone());
        Ok(vec![ChatEvent::ChatUpdated(ChatUpdated {
            chat_id: data.id,
            version: Versions::after(data.version).next(),
            name,
            previous_name,
            updated_by: admin,
            updated_at: c.at,
        })])
    }
}

/// Archives an active chat (admins).
impl Decide for ArchiveChat {
    fn facts_query(&self, _state: &ChatState) -> FactsQuery {
        FactsQuery::default()
    }

    fn decide(self, state: &ChatState, _facts: &MessageFacts) -> Result<Vec<ChatEvent>, ChatError> {
        let (data, c) = (active(state)?, &self);
        let admin = data.require_admin(&c.actor)?;
        Ok(vec![ChatEvent::ChatArchived(ChatArchived {
            chat_id: data.id,
            version: Versions::after(data.version).next(),
            archived_by: admin,
            archived_at: c.at,
        })])
    }
}

/// Restores an archived chat (admins).
impl Decide for RestoreChat {
    fn facts_query(&self, _state: &ChatState) -> FactsQuery {
        FactsQuery::default()
    }

    fn decide(self, state: &ChatState, _facts: &MessageFacts) -> Result<Vec<ChatEvent>, ChatError> {
        let c = &self;
        let data = super::existing(state)?;
        let admin = data.require_admin(&c.actor)?;
        match state {
            ChatState::Archived(_) => Ok(vec![ChatEvent::ChatRestored(ChatRestored {
                chat_id: data.id,
                version: Versions::after(data.version).next(),
                restored_by: admin,
                restored_at: c.at,
            })]),
            ChatState::Active(_) | ChatState::Absent | ChatState::Deleted(_) => {
                Err(ChatError::ChatNotArchived)
            }
        }
    }
}

/// Hard-deletes an active or archived chat (an admin, or any service identity).
impl Decide for HardDeleteChat {
    fn facts_query(&self, _state: &ChatState) -> FactsQuery {
        FactsQuery::default()
    }

    fn decide(self, state: &ChatState, _facts: &MessageFacts) -> Result<Vec<ChatEvent>, ChatError> {
        let (data, c) = (existing(state)?, self);
        match &c.actor {
            Actor::Service { .. } => {}
            Actor::User { .. } => {
                data.require_admin(&c.actor)?;
            }
        }
        Ok(vec![ChatEvent::ChatHardDeleted(ChatHardDeleted {
            chat_id: data.id,
            version: Versions::after(data.version).next(),
            deleted_by: c.actor,
            deleted_at: c.at,
        })])
    }
}
