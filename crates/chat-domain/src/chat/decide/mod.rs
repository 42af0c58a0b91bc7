//! `decide`: every rule of the chat, as pure functions from state and command to events.
//!
//! Each command's rule is its [`Decide`] impl, per concern in the submodules (typing's
//! in `typing`); the command table dispatches to them exhaustively, so a new command
//! does not compile until it is decided. The lifecycle helpers [`active`] and
//! [`existing`] match every state explicitly. Rules number their events from the
//! state's version (`Versions`).
//!
//! Commands that would change nothing decide to `Ok(vec![])` (documented per command):
//! unchanged edit or update, delete of a deleted message, a read position that does
//! not move forward, a role set to the current role, and typing.

mod lifecycle;
mod messages;
mod participants;
mod telegram;

use crate::chat::{
    commands::ChatCommand,
    errors::ChatError,
    events::ChatEvent,
    facts::{FactsQuery, MessageFacts},
    state::ChatData,
    state::ChatState,
};

/// How one command is decided, implemented beside its rule: what it needs looked up in
/// the message index, and the rule itself. The command table dispatches to it
/// ([`ChatCommand::facts_query`] and `decide`), so a new command does not compile
/// until it has both.
pub(crate) trait Decide {
    /// What to look up in the message index before deciding this command against
    /// `state` (`FactsQuery::default()` for a command that names no message).
    fn facts_query(&self, state: &ChatState) -> FactsQuery;

    /// The events this command decides to against `state`, knowing `facts`.
    ///
    /// # Errors
    /// The broken rule.
    fn decide(self, state: &ChatState, facts: &MessageFacts) -> Result<Vec<ChatEvent>, ChatError>;
}

/// Decides `command` against `state`, with what the message index knows of the messages
/// it names.
pub(crate) fn decide(
    state: &ChatState,
    facts: &MessageFacts,
    command: ChatCommand,
) -> Result<Vec<ChatEvent>, ChatError> {
    outsiders_learn_nothing(state, &command)?;
    command.decide_by_rule(state, facts)
}

/// A user who is not a participant of an archived chat is told that, before any rule
/// that would reveal the chat's lifecycle (that it is archived): an outsider's answer is
/// the same whatever the chat's state. (Active chats check participation in every
/// handler; a create meets the existing chat as before.)
fn outsiders_learn_nothing(state: &ChatState, command: &ChatCommand) -> Result<(), ChatError> {
    match (state, command.actor().user_id()) {
        (ChatState::Archived(data), Some(user))
            if data.role_of(user).is_none() && !matches!(command, ChatCommand::CreateChat(_)) =>
        {
            Err(ChatError::NotAParticipant)
        }
        _ => Ok(()),
    }
}

/// The data of an active chat: archived chats accept only restore and hard delete,
/// deleted chats nothing.
pub(crate) const fn active(state: &ChatState) -> Result<&ChatData, ChatError> {
    match state {
        ChatState::Absent => Err(ChatError::ChatNotFound),
        ChatState::Active(data) => Ok(data),
        ChatState::Archived(_) => Err(ChatError::ChatArchived),
        ChatState::Deleted(_) => Err(ChatError::ChatDeleted),
    }
}

/// The data of an active or archived chat.
pub(crate) const fn existing(state: &ChatState) -> Result<&ChatData, ChatError> {
    match state {
        ChatState::Absent => Err(ChatError::ChatNotFound),
        ChatState::Active(data) | ChatState::Archived(data) => Ok(data),
        ChatState::Deleted(_) => Err(ChatError::ChatDeleted),
    }
}

/// Numbers a decision's events: the state's version + 1, + 2, ...
#[derive(Debug)]
pub(crate) struct Versions(u64);

impl Versions {
    /// Starts after `current`.
    pub(crate) const fn after(current: u64) -> Self {
        Self(current)
    }

    /// The next event's version.
    pub(crate) const fn next(&mut self) -> u64 {
        self.0 += 1;
        self.0
    }
}
