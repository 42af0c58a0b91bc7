//! A chat decided wholly in memory: its state and its message index side by side, for
//! simulations, test feeds and in-memory adapters.

use crate::{
    Aggregate,
    chat::{Chat, ChatCommand, ChatError, ChatEvent, ChatState, MessageLog},
};

/// One chat's state and message index, kept in step.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InMemoryChat {
    state: ChatState,
    messages: MessageLog,
}

impl InMemoryChat {
    /// The chat of `events` (one chat's, in order).
    #[must_use]
    pub fn of<'a>(events: impl IntoIterator<Item = &'a ChatEvent> + Clone) -> Self {
        Self {
            state: Chat::replay(events.clone()),
            messages: MessageLog::of(events),
        }
    }

    /// Decides `command` with the facts of the message index, changing nothing.
    ///
    /// # Errors
    /// The broken rule.
    pub fn decide(&self, command: ChatCommand) -> Result<Vec<ChatEvent>, ChatError> {
        self.messages.decide(&self.state, command)
    }

    /// Decides `command` and, when accepted, folds its events in.
    ///
    /// # Errors
    /// The broken rule (nothing changes then).
    pub fn run(&mut self, command: ChatCommand) -> Result<Vec<ChatEvent>, ChatError> {
        let events = self.decide(command)?;
        self.apply(&events);
        Ok(events)
    }

    fn apply(&mut self, events: &[ChatEvent]) {
        for event in events {
            self.state = Chat::evolve(std::mem::take(&mut self.state), event);
            self.messages.record(event);
        }
    }

    /// The state.
    #[must_use]
    pub const fn state(&self) -> &ChatState {
        &self.state
    }

    /// The message index.
    #[must_use]
    pub const fn messages(&self) -> &MessageLog {
        &self.messages
    }

    /// The exact unread count of `user` (0 for non-participants).
    #[must_use]
    pub fn unread_count(&self, user: crate::ids::UserId) -> u64 {
        self.messages.unread_count(&self.state, user)
    }

    /// The state, giving up the index.
    #[must_use]
    pub fn into_state(self) -> ChatState {
        self.state
    }
}
