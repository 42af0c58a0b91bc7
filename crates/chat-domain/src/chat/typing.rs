//! Typing indicators: ephemeral, never stored, never versioned.
//!
//! One rule says who may type, [`check_typist`]: whoever may write. `decide` applies it
//! to the chat's state ([`Typing`] decides to no events, it changes nothing); the
//! gateway, which relays typing without loading the chat, applies it to the role it
//! knows the user has.

use crate::chat::{
    commands::Typing,
    errors::ChatError,
    rules::{require_user, require_writer_role},
    state::ChatData,
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

/// The typing rule on an active chat's state, as `decide` applies it.
pub(crate) fn check(data: &ChatData, command: &Typing) -> Result<(), ChatError> {
    check_typist(data.role_of(require_user(&command.actor)?))
}
