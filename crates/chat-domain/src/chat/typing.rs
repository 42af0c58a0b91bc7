//! Typing indicators: ephemeral, never stored, never versioned.
//!
//! One rule says who may type, [`check_typist`]: whoever may write. `decide` applies it
//! to the chat's state ([`Typing`] decides to no events, it changes nothing); the
//! gateway, which relays typing without loading the chat, applies it to the role it
//! knows the user has.

use crate::chat::{
    commands::Typing,
    decide::{Decide, active},
    errors::ChatError,
    events::ChatEvent,
    facts::{FactsQuery, MessageFacts},
    rules::{require_user, require_writer_role},
    state::ChatState,
    types::Role,
};

/// The typing rule on the typist's role in the chat (`None`: not a participant): only
/// a participant who may write types.
///
/// # Errors
/// [`ChatError::NotAParticipant`], [`ChatError::ObserverCannotWrite`].
pub fn check_typist(role: Option<Role>) -> Result<(), ChatError> {
    require_writer_role(role).map(drop)
}

/// The typing rule on an active chat's state, as `decide` applies it: a typist who may
/// write decides to no events (typing changes nothing).
impl Decide for Typing {
    fn facts_query(&self, _state: &ChatState) -> FactsQuery {
        FactsQuery::default()
    }

    fn decide(self, state: &ChatState, _facts: &MessageFacts) -> Result<Vec<ChatEvent>, ChatError> {
        let data = active(state)?;
        check_typist(data.role_of(require_user(&self.actor)?)).map(|()| Vec::new())
    }
}
