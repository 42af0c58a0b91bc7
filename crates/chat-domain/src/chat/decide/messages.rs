//! Messages: send, edit, delete, mark read.

use super::{Decide, Versions, active};
use crate::{
    actor::Actor,
    chat::{
        commands::{DeleteMessage, EditMessage, MarkMessagesRead, SendMessage},
        errors::ChatError,
        events::{ChatEvent, MessageDeleted, MessageEdited, MessageSent, MessagesMarkedAsRead},
        facts::{FactsQuery, MessageFacts, UnreadQuery},
        rules::media,
        state::{ChatData, ChatState, MessageAuthor, MessageRecord},
        types::{MessageSource, Role},
    },
    ids::{MessageId, UserId},
};

/// Sends a message (admins and members). Idempotency keys are the write path's job;
/// here a reused message id is a conflict.
impl Decide for SendMessage {
    fn facts_query(&self, _state: &ChatState) -> FactsQuery {
        FactsQuery::of_messages([Some(self.message_id), self.reply_to].into_iter().flatten())
    }

    fn decide(self, state: &ChatState, facts: &MessageFacts) -> Result<Vec<ChatEvent>, ChatError> {
        let (data, c) = (active(state)?, self);
        let (sender, _) = data.require_writer(&c.actor)?;
        facts.require_new_message_id(c.message_id)?;
        let (message_type, attachment) = media::accept(data.id, c.media)?;
        media::validate_caption(&c.content, attachment.is_some())?;
        facts.require_reply_target(c.reply_to)?;
        Ok(vec![ChatEvent::MessageSent(MessageSent {
            chat_id: data.id,
            version: Versions::after(data.version).next(),
            message_id: c.message_id,
            sender_id: sender,
            sender_name: c.actor.user_name().map(str::to_owned),
            content: c.content,
            message_type,
            attachment,
            reply_to: c.reply_to,
            source: MessageSource::Chat,
            created_at: c.at,
        })])
    }
}

/// Who may change a message, given the actor.
///
/// Users must be writers (observers read only). The service identity stands in for the
/// Telegram author of a Telegram message, and may touch nothing else.
fn author_check<'a>(
    data: &ChatData,
    facts: &'a MessageFacts,
    actor: &Actor,
    message_id: MessageId,
    admin_may: bool,
) -> Result<&'a MessageRecord, ChatError> {
    let denied = if admin_may {
        ChatError::NotSenderOrAdmin
    } else {
        ChatError::NotMessageSender
    };
    match actor {
        Actor::User { .. } => {
            let (user, role) = data.require_writer(actor)?;
            let message = facts.require_message(message_id)?;
            let own = message.author == MessageAuthor::User(user);
            if own || (admin_may && role == Role::Admin) {
                Ok(message)
            } else {
                Err(denied)
            }
        }
        Actor::Service { .. } => {
            let message = facts.require_message(message_id)?;
            match message.author {
                MessageAuthor::Telegram { .. } => Ok(message),
                MessageAuthor::User(_) | MessageAuthor::System => Err(denied),
            }
        }
    }
}

/// Edits a message (its sender; the service for Telegram messages). Deleted messages
/// cannot be edited; unchanged content decides to no events. A media message's caption
/// changes, its file never does (and its caption may become empty).
impl Decide for EditMessage {
    fn facts_query(&self, _state: &ChatState) -> FactsQuery {
        FactsQuery::of_messages([self.message_id])
    }

    fn decide(self, state: &ChatState, facts: &MessageFacts) -> Result<Vec<ChatEvent>, ChatError> {
        let (data, c) = (active(state)?, self);
        let message = author_check(data, facts, &c.actor, c.message_id, false)?;
        let Some(previous) = &message.content else {
            return Err(ChatError::MessageIsDeleted);
        };
        media::validate_caption(&c.content, message.attachment_key.is_some())?;
        if *previous == c.content {
            return Ok(Vec::new());
        }
        Ok(vec![ChatEvent::MessageEdited(MessageEdited {
            chat_id: data.id,
            version: Versions::after(data.version).next(),
            message_id: c.message_id,
            previous_content: previous.clone(),
            content: c.content,
            edited_by: c.actor,
            edited_at: c.at,
        })])
    }
}

/// Deletes a message (its sender or an admin; the service for Telegram messages).
/// Deleting a deleted message decides to no events (DELETE is idempotent).
impl Decide for DeleteMessage {
    fn facts_query(&self, _state: &ChatState) -> FactsQuery {
        FactsQuery::of_messages([self.message_id])
    }

    fn decide(self, state: &ChatState, facts: &MessageFacts) -> Result<Vec<ChatEvent>, ChatError> {
        let (data, c) = (active(state)?, self);
        let message = author_check(data, facts, &c.actor, c.message_id, true)?;
        if message.is_deleted() {
            return Ok(Vec::new());
        }
        Ok(vec![ChatEvent::MessageDeleted(MessageDeleted {
            chat_id: data.id,
            version: Versions::after(data.version).next(),
            message_id: c.message_id,
            sender_id: match message.author {
                MessageAuthor::User(user) => Some(user),
                MessageAuthor::Telegram { .. } | MessageAuthor::System => None,
            },
            message_version: message.position,
            deleted_by: c.actor,
            deleted_at: c.at,
        })])
    }
}

/// Moves the actor's read position to `up_to` (any participant). The position only
/// moves forward: a message at or before the current position decides to no events,
/// so late or duplicate read receipts from several devices are harmless.
///
/// The counts come from the message index ([`MessageFacts::unread`]): unread before is
/// the count after the reader's floor, unread after is the count past the target too.
impl Decide for MarkMessagesRead {
    fn facts_query(&self, state: &ChatState) -> FactsQuery {
        FactsQuery {
            unread: unread_query(state, self.actor.user_id(), self.up_to),
            ..FactsQuery::of_messages([self.up_to])
        }
    }

    fn decide(self, state: &ChatState, facts: &MessageFacts) -> Result<Vec<ChatEvent>, ChatError> {
        let (data, c) = (active(state)?, &self);
        let (user, _) = data.require_participant(&c.actor)?;
        let target = facts.require_message(c.up_to)?.position;
        let current = data.read_position(user).map(|r| r.message_version);
        if current.is_some_and(|v| v >= target) {
            return Ok(Vec::new());
        }
        let (before, after) = (facts.unread.since, facts.unread.after_up_to);
        Ok(vec![ChatEvent::MessagesMarkedAsRead(
            MessagesMarkedAsRead {
                chat_id: data.id,
                version: Versions::after(data.version).next(),
                user_id: user,
                last_read_message_id: c.up_to,
                last_read_message_version: target,
                marked_count: before.saturating_sub(after),
                unread_count: after,
                read_at: c.at,
            },
        )])
    }
}

/// The reader's counts to look up, when the reader is a participant.
fn unread_query(
    state: &ChatState,
    reader: Option<UserId>,
    up_to: MessageId,
) -> Option<UnreadQuery> {
    let reader = reader?;
    let data = state.data()?;
    Some(UnreadQuery {
        reader,
        since: data.read_floor(reader)?,
        up_to,
    })
}
