//! `chat-domain`: the `Chat` aggregate of the chat backend, as pure functions.
//!
//! Nothing in this crate performs I/O, reads a clock or draws randomness: time, ids
//! and the acting identity arrive inside each command (`crates/chat-domain/clippy.toml`
//! bans the clock and random-id constructors). Every service builds on it:
//! command-api runs [`Chat::decide`](Aggregate::decide), the projectors plan their writes
//! from each [`ChatEvent`]'s declared facts (`chat-read-model`'s `plan`), the gateway and
//! the Telegram bridge read [`ChatEvent`]s and their [`Envelope`].
//!
//! Layout:
//! - [`ids`]: identifier newtypes ([`ChatId`], [`UserId`], [`MessageId`], ...) and
//!   [`direct_chat_id`].
//! - [`actor`]: who issued a command ([`Actor::User`] or [`Actor::Service`]).
//! - [`chat`]: the aggregate: [`ChatCommand`], [`ChatEvent`], [`ChatState`],
//!   `decide`, `evolve`, [`ChatError`] and the rules.
//! - [`envelope`]: the Kafka wire envelope around every event.
//! - [`projection`]: which events are projected SYNC and which ASYNC.
//! - [`text`]: the text policy every stored text passes (which characters are refused).
//! - `testing` (feature `testing`): the given/when/then harness, fixtures and the
//!   reference read-model folds (`testing::reference`) tests check the views against.
//!
//! ```
//! use chat_domain::{Aggregate, Chat, ChatCommand, ChatState};
//! # use chat_domain::{Actor, ChatId, ChatType, UserId, chat::commands::CreateChat};
//! let alice = UserId::from_uuid(uuid::Uuid::from_u128(1));
//! let create = ChatCommand::CreateChat(CreateChat {
//!     actor: Actor::user(alice),
//!     at: time::OffsetDateTime::UNIX_EPOCH,
//!     chat_id: ChatId::from_uuid(uuid::Uuid::from_u128(7)),
//!     chat_type: ChatType::Group,
//!     name: Some("general".to_owned()),
//!     company_id: None,
//!     participants: vec![],
//! });
//! let events = Chat::decide(&ChatState::Absent, &Default::default(), create)?;
//! let state = Chat::replay(&events);
//! assert_eq!(state.version(), 2); // ChatCreated, then ParticipantAdded(alice, admin)
//! # Ok::<(), chat_domain::ChatError>(())
//! ```

// Every public item is documented: other services code against this crate.
#![warn(missing_docs)]

pub mod actor;
pub mod chat;
pub mod envelope;
pub mod ids;
pub mod projection;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod text;

pub use actor::Actor;
pub use chat::{
    Attachment, Chat, ChatCommand, ChatError, ChatEvent, ChatState, ChatType, ErrorKind,
    FactsQuery, InMemoryChat, Media, MediaKind, MessageFacts, MessageLog, MessageSource,
    MessageType, Role, SCHEMA_VERSION,
};
pub use envelope::{Envelope, EnvelopeMeta};
pub use ids::{
    ChatId, CompanyId, EventId, MessageId, ParseIdError, UserId, direct_chat_id, direct_chat_id_at,
    is_direct_chat_id,
};
pub use projection::{EVENT_TYPES, ProjectionKind, projection_kind};

/// The state after a decision and the events that led there ([`Aggregate::execute`]).
pub type Executed<A> = (<A as Aggregate>::State, Vec<<A as Aggregate>::Event>);

/// An event-sourced aggregate: a consistency boundary decided by pure functions.
///
/// `decide` holds every rule and emits events; `evolve` folds an event into the state
/// without rules or errors, so replaying a stream always rebuilds the same state.
pub trait Aggregate {
    /// Stable aggregate name (a wire contract: never rename).
    const NAME: &'static str;
    /// The state folded from the aggregate's events; `Default` is "no events yet".
    type State: Default;
    /// The commands the aggregate decides.
    type Command;
    /// The facts the aggregate emits.
    type Event;
    /// A broken rule.
    type Error: std::error::Error;
    /// What `decide` needs besides the state, looked up by the write path for the one
    /// command at hand (so the state stays small).
    type Facts: Default;

    /// Decides a command against the current state and the looked-up facts.
    ///
    /// # Errors
    /// Returns the broken rule when the command is rejected.
    fn decide(
        state: &Self::State,
        facts: &Self::Facts,
        command: Self::Command,
    ) -> Result<Vec<Self::Event>, Self::Error>;

    /// Folds one event into the state. Total: never fails, never panics.
    fn evolve(state: Self::State, event: &Self::Event) -> Self::State;

    /// Rebuilds a state from its events.
    fn replay<'a>(events: impl IntoIterator<Item = &'a Self::Event>) -> Self::State
    where
        Self::Event: 'a,
    {
        events
            .into_iter()
            .fold(Self::State::default(), Self::evolve)
    }

    /// Decides a command and folds the emitted events into the state.
    ///
    /// # Errors
    /// Returns the broken rule when the command is rejected (the state is then dropped).
    fn execute(
        state: Self::State,
        facts: &Self::Facts,
        command: Self::Command,
    ) -> Result<Executed<Self>, Self::Error> {
        let events = Self::decide(&state, facts, command)?;
        let state = events.iter().fold(state, Self::evolve);
        Ok((state, events))
    }
}
