//! `decide`: every rule of the chat, as pure functions from state and command to events.
//!
//! The dispatch matches on the command first and exhaustively, so a new command
//! variant does not compile until it is decided; the lifecycle helpers [`active`] and
//! [`existing`] match every state explicitly. Handlers live per concern in the
//! submodules and number their events from the state's version (`Versions`).
//!
//! Commands that would change nothing decide to `Ok(vec![])` (documented per command):
//! unchanged edit or update, delete of a deleted message, a read position that does
//! not move forward, a role set to the current role, and typing.

mod lifecycle;
mod messages;
mod participants;
mod telegram;

use crate::chat::{
    commands::ChatCommand, errors::ChatError, events::ChatEvent, facts::MessageFacts,
    state::ChatData, state::ChatState, typing,
};

/// Decides `command` against `state`, with what the message index knows of the messages
/// it names.
pub(crate) fn decide(
    state: &ChatState,
    facts: &MessageFacts,
    command: ChatCommand,
) -> Result<Vec<ChatEvent>, ChatError> {
    outsiders_learn_nothing(state, &command)?;
    match command {
        ChatCommand::CreateChat(c) => lifecycle::create(state, c),
        ChatCommand::UpdateChat(c) => lifecycle::update(active(state)?, c),
        ChatCommand::ArchiveChat(c) => lifecycle::archive(active(state)?, &c),
        ChatCommand::RestoreChat(c) => lifecycle::restore(state, &c),
        ChatCommand::HardDeleteChat(c) => lifecycle::hard_delete(existing(state)?, c),
        ChatCommand::SendMessage(c) => messages::send(active(state)?, facts, c),
        ChatCommand::EditMessage(c) => messages::edit(active(state)?, facts, c),
        ChatCommand::DeleteMessage(c) => messages::delete(active(state)?, facts, c),
        ChatCommand::MarkMessagesRead(c) => messages::mark_read(active(state)?, facts, &c),
        ChatCommand::AddParticipant(c) => participants::add(active(state)?, &c),
        ChatCommand::RemoveParticipant(c) => participants::remove(active(state)?, &c),
        ChatCommand::LeaveChat(c) => participants::leave(active(state)?, &c),
        ChatCommand::ChangeParticipantRole(c) => participants::change_role(active(state)?, &c),
        ChatCommand::LinkTelegram(c) => telegram::link(active(state)?, &c),
        ChatCommand::UnlinkTelegram(c) => telegram::unlink(active(state)?, &c),
        ChatCommand::ReceiveTelegramMessage(c) => telegram::receive(active(state)?, facts, c),
        ChatCommand::ReportTelegramLinkChange(c) => {
            telegram::report_link_change(active(state)?, facts, c)
        }
        ChatCommand::Typing(c) => typing::check(active(state)?, &c).map(|()| Vec::new()),
    }
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
