//! What each event writes, as data: the pure half of both projectors.
//!
//! [`plan`] turns one event into the row writes (PostgreSQL) and message writes (CQL) a
//! projector performs; the adapters only execute them. Every write carries the event's
//! chat version, and each adapter guards with it, so applying a plan twice, or an older
//! plan after a newer one, changes nothing.
//!
//! Who applies what: projector-sync applies the SYNC events (chat created, participant
//! added, message sent or received from Telegram), projector-async the thirteen ASYNC ones.
//! The unread counts are the exception: a count mixes increments (a message arrived) with
//! absolute values (marked read, left), which only stay exact when one in-order consumer
//! applies all of them, so projector-async owns the unread ledger and also reads the three
//! SYNC events that move it (it never writes their SYNC read models). It also owns the
//! messages' texts (search and edit history), which follow sends, edits, deletes and
//! hard deletes in order, and the user directory: users from the envelopes
//! ([`directory`]), Telegram authors from their messages.
//! Likewise projector-sync reads the edits and deletes of messages (ASYNC) for the one
//! thing they change in its rows: the chat's newest message as the chat list shows it,
//! which stays right only when its send and its edits apply in order in one consumer.
//!
//! Each event plans itself (`Planned`, one impl per event for both projectors), by
//! concern: `chats` (lifecycle and membership), `messages` (with the CQL writes,
//! [`MessageWrite`]) and `telegram`; `writes` holds the PostgreSQL writes and [`Plan`].

mod chats;
mod messages;
mod telegram;
mod writes;

pub use messages::MessageWrite;
pub use writes::{
    LastMessageRevision, NewChat, NewMessage, Plan, RowWrite, TextRevision, TextWrite,
};

use chat_domain::{Actor, ChatEvent, Envelope, MessageId};

use crate::bucket::bucket_of_message;
use crate::person::Person;

/// Which projector is applying events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Projector {
    /// projector-sync: read-your-writes projections.
    Sync,
    /// projector-async: eventually consistent projections and the unread ledger.
    Async,
}

impl Projector {
    /// `"sync"` or `"async"`: the checkpoint key and the consumer group suffix.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Sync => "sync",
            Self::Async => "async",
        }
    }
}

/// A message event whose id is not a TIMEUUID: it has no bucket, so it can never be
/// stored (the aggregate refuses such ids; a record carrying one is poison).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("message {0} is not a TIMEUUID")]
pub struct NotATimeUuid(pub MessageId);

/// A message's bucket.
fn bucket(id: MessageId) -> Result<i32, NotATimeUuid> {
    bucket_of_message(id).ok_or(NotATimeUuid(id))
}

/// What one event writes, for each projector. Every event payload implements it, beside
/// the writes of its concern (`chats`, `messages`, `telegram`), and [`plan`] dispatches to
/// it over every variant of the event table, so a new event does not compile until it is
/// planned; each impl matches on the projector, so it decides both.
trait Planned {
    /// Adds this event's writes for `projector` to `plan`.
    ///
    /// # Errors
    /// [`NotATimeUuid`] when a message event names an id without a time.
    fn plan(&self, projector: Projector, plan: &mut Plan) -> Result<(), NotATimeUuid>;
}

/// `planned(event)`: the event's payload as what it plans, a match over every variant of
/// the event table.
macro_rules! planned {
    ($($variant:ident),+) => {
        fn planned(event: &ChatEvent) -> &dyn Planned {
            match event {
                $(ChatEvent::$variant(e) => e,)+
            }
        }
    };
}
chat_domain::for_each_chat_event!(planned);

/// The writes of `event` for `projector`.
///
/// # Errors
/// [`NotATimeUuid`] when a message event names an id without a time.
pub fn plan(projector: Projector, event: &ChatEvent) -> Result<Plan, NotATimeUuid> {
    let mut plan = Plan::default();
    planned(event).plan(projector, &mut plan)?;
    Ok(plan)
}

/// The user directory's write for an event projector-async applies: the name its actor
/// acted under, when it is a user whose token named them.
#[must_use]
pub fn directory(envelope: &Envelope) -> Option<RowWrite> {
    match &envelope.actor {
        Actor::User {
            id,
            name: Some(name),
        } => Some(RowWrite::Named {
            person: Person::User(*id),
            name: name.clone(),
            at: envelope.occurred_at,
        }),
        Actor::User { name: None, .. } | Actor::Service { .. } => None,
    }
}

/// A message becoming the chat's newest one (unless a newer one is there).
fn last_message(message: &NewMessage) -> RowWrite {
    RowWrite::SetLastMessage(message.clone())
}

/// A message type as stored.
fn message_type(t: chat_domain::MessageType) -> String {
    t.as_str().to_owned()
}
