//! Typing indicators: ephemeral, never stored, never versioned.
//!
//! `decide` accepts [`Typing`] with no events (it changes no state). The gateway that
//! relays typing calls [`check_typing`] to check the same rules and get the signal to push.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{
    chat::{
        commands::Typing, decide::active, errors::ChatError, state::ChatData, state::ChatState,
    },
    ids::{ChatId, UserId},
};

/// The ephemeral typing signal (WebSocket frame type [`UserTyping::EVENT_TYPE`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserTyping {
    /// The chat.
    pub chat_id: ChatId,
    /// Who is typing.
    pub user_id: UserId,
    /// Their display name.
    #[serde(default)]
    pub user_name: Option<String>,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

impl UserTyping {
    /// The frame type of a typing signal.
    pub const EVENT_TYPE: &'static str = "user_typing";
}

/// Checks a typing indicator (active chat, a participant who may write) and returns the
/// signal to relay.
///
/// # Errors
/// The same rules as sending: `ChatNotFound`, `ChatArchived`, `ChatDeleted`,
/// `ServiceActorNotAllowed`, `NotAParticipant`, `ObserverCannotWrite`.
pub fn check_typing(state: &ChatState, command: Typing) -> Result<UserTyping, ChatError> {
    check(active(state)?, command)
}

pub(crate) fn check(data: &ChatData, command: Typing) -> Result<UserTyping, ChatError> {
    let (user_id, _) = data.require_writer(&command.actor)?;
    Ok(UserTyping {
        chat_id: data.id,
        user_id,
        user_name: command.actor.user_name().map(str::to_owned),
        at: command.at,
    })
}
