//! Given/when/then harness for the chat aggregate (feature `testing`; always on in this
//! crate's unit tests), its fixtures, and the [`reference`](mod@reference) read-model folds.
//!
//! ```
//! # use chat_domain::testing::{given, fixtures::*};
//! # use chat_domain::ChatError;
//! given(History::group().events())
//!     .when(send(EVE, msg(1), "hi"))
//!     .then_err(ChatError::NotAParticipant);
//! ```

pub mod fixtures;
pub mod reference;

use crate::{
    Aggregate,
    chat::{Chat, ChatCommand, ChatError, ChatEvent, ChatState, InMemoryChat},
};

/// The events of `commands` decided one after the other from a fresh chat: a history for
/// tests of what consumes events.
///
/// # Panics
/// When a command is rejected.
#[must_use]
pub fn decide_all(commands: impl IntoIterator<Item = ChatCommand>) -> Vec<ChatEvent> {
    let mut chat = InMemoryChat::default();
    let mut events = Vec::new();
    for command in commands {
        events.extend(
            chat.run(command)
                .unwrap_or_else(|e| panic!("rejected: {e}")),
        );
    }
    events
}

/// Starts a specification from past events.
pub fn given(events: impl IntoIterator<Item = ChatEvent>) -> Given {
    let events: Vec<ChatEvent> = events.into_iter().collect();
    Given {
        chat: InMemoryChat::of(&events),
    }
}

/// The state and message index built from the given events.
#[derive(Debug)]
pub struct Given {
    chat: InMemoryChat,
}

impl Given {
    /// The state the command will be decided against.
    #[must_use]
    pub const fn state(&self) -> &ChatState {
        self.chat.state()
    }

    /// Decides a command, with the facts the message index holds for it.
    pub fn when(self, command: impl Into<ChatCommand>) -> Then {
        let result = self.chat.decide(command.into());
        Then {
            state: self.chat.into_state(),
            result,
        }
    }
}

/// The outcome of a decided command, to assert on.
#[derive(Debug)]
pub struct Then {
    state: ChatState,
    result: Result<Vec<ChatEvent>, ChatError>,
}

impl Then {
    /// The raw result.
    pub const fn result(&self) -> &Result<Vec<ChatEvent>, ChatError> {
        &self.result
    }

    /// Asserts the command was accepted with exactly these events, checks that their
    /// versions follow the state's, and returns the state after them.
    ///
    /// # Panics
    /// When the result differs.
    #[track_caller]
    pub fn then<E: Into<ChatEvent>>(self, expected: impl IntoIterator<Item = E>) -> ChatState {
        let expected: Vec<ChatEvent> = expected.into_iter().map(Into::into).collect();
        assert_eq!(self.result, Ok(expected), "unexpected decision");
        self.then_accepted()
    }

    /// Asserts the command was accepted with no events (a no-op).
    ///
    /// # Panics
    /// When the result differs.
    #[track_caller]
    pub fn then_nothing(self) {
        assert_eq!(self.result, Ok(Vec::new()), "expected a no-op");
    }

    /// Asserts the command was rejected with `expected`.
    ///
    /// # Panics
    /// When the result differs.
    #[track_caller]
    pub fn then_err(self, expected: ChatError) {
        assert_eq!(self.result, Err(expected), "expected a rejection");
    }

    /// Asserts the command was accepted (any events) and returns the state after them.
    ///
    /// # Panics
    /// When the command was rejected or the versions do not follow the state's.
    #[track_caller]
    pub fn then_accepted(self) -> ChatState {
        let events = match self.result {
            Ok(events) => events,
            Err(e) => panic!("expected acceptance, got {e:?}"),
        };
        let mut version = self.state.version();
        let mut state = self.state;
        for event in &events {
            version += 1;
            assert_eq!(
                event.version(),
                version,
                "event versions must follow the state's"
            );
            state = Chat::evolve(state, event);
            assert_eq!(
                state.version(),
                version,
                "evolve must accept every decided event"
            );
        }
        state
    }

    /// The emitted events.
    ///
    /// # Panics
    /// When the command was rejected.
    #[track_caller]
    #[must_use]
    pub fn events(self) -> Vec<ChatEvent> {
        match self.result {
            Ok(events) => events,
            Err(e) => panic!("expected acceptance, got {e:?}"),
        }
    }
}
