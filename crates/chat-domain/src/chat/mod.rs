//! The `Chat` aggregate: commands, events, state, `decide`, `evolve`, errors, rules.
//!
//! - [`commands`]: [`ChatCommand`] and one struct per command.
//! - [`attachment`]: a media message's file ([`Attachment`]) and its object key.
//! - [`events`]: [`ChatEvent`] and one struct per event (the wire contract).
//! - [`state`]: [`ChatState`] (`Absent | Active | Archived | Deleted`) and [`state::ChatData`].
//! - [`facts`]: what `decide` learns from the message index ([`facts::MessageFacts`]).
//! - [`membership`]: how each event changes who is in the chat.
//! - `decide` / `evolve`: the rules and the fold, behind [`Chat`]'s [`Aggregate`] impl.
//! - [`errors`]: [`ChatError`] (one variant per rule) and [`ErrorKind`].
//! - [`rules::limits`]: content and name limits; [`rules::media`]: file kinds, sizes,
//!   MIME types and captions.
//! - [`typing`]: who may type (the typing signal itself is ephemeral).
//! - [`telegram_ids`]: which Telegram ids name a supergroup or a topic.
//!
//! Decisions where the product text is open (see each handler's doc for details):
//! creation emits `ChatCreated` then one `ParticipantAdded` per initial participant;
//! direct chats have two admins and fixed membership (no add, remove, leave or role
//! change); a hard-deleted chat answers every command, creation included, with
//! `ChatDeleted` (a hard-deleted direct chat's pair starts its next one at the next
//! generation's id, [`crate::ids::direct_chat_id_at`]); commands that change nothing
//! decide to no events instead of failing.

pub mod attachment;
pub mod commands;
mod decide;
pub mod errors;
pub mod events;
mod evolve;
pub mod facts;
mod in_memory;
pub mod membership;
pub mod rules;
pub mod state;
pub mod telegram_ids;
pub mod types;
pub mod typing;

#[cfg(test)]
mod tests;

pub use attachment::{Attachment, Media, chat_object_prefix, object_key};
pub use commands::ChatCommand;
pub use errors::{ChatError, ErrorKind};
pub use events::{ChatEvent, SCHEMA_VERSION};
pub use facts::{FactsQuery, MessageFacts, MessageLog};
pub use in_memory::InMemoryChat;
pub use rules::media::MediaKind;
pub use state::ChatState;
pub use types::{ChatType, MessageSource, MessageType, Role, TelegramLink};
pub use typing::check_typist;

use crate::Aggregate;

/// The chat aggregate (a marker type: state is passed explicitly).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Chat;

impl Aggregate for Chat {
    const NAME: &'static str = "chat";
    type State = ChatState;
    type Command = ChatCommand;
    type Event = ChatEvent;
    type Error = ChatError;
    type Facts = MessageFacts;

    fn decide(
        state: &ChatState,
        facts: &MessageFacts,
        command: ChatCommand,
    ) -> Result<Vec<ChatEvent>, ChatError> {
        decide::decide(state, facts, command)
    }

    fn evolve(state: ChatState, event: &ChatEvent) -> ChatState {
        evolve::evolve(state, event)
    }
}
