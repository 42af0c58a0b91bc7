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

mod writes;

pub use writes::{
    LastMessageRevision, MessageWrite, NewChat, NewMessage, Plan, RowWrite, TextRevision, TextWrite,
};

use chat_domain::chat::events::{
    MessageSent, TelegramLinkChange, TelegramLinkChanged, TelegramMessageReceived,
};
use chat_domain::chat::membership::MembershipChange;
use chat_domain::{Actor, ChatEvent, Envelope, MessageId, UserId};

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

fn bucket(id: MessageId) -> Result<i32, NotATimeUuid> {
    bucket_of_message(id).ok_or(NotATimeUuid(id))
}

/// The writes of `event` for `projector`.
///
/// # Errors
/// [`NotATimeUuid`] when a message event names an id without a time.
pub fn plan(projector: Projector, event: &ChatEvent) -> Result<Plan, NotATimeUuid> {
    match projector {
        Projector::Sync => plan_sync(event),
        Projector::Async => plan_async(event),
    }
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

fn plan_sync(event: &ChatEvent) -> Result<Plan, NotATimeUuid> {
    let mut plan = Plan::default();
    match event {
        ChatEvent::ChatCreated(e) => plan.rows.push(RowWrite::CreateChat(NewChat {
            chat_type: e.chat_type,
            name: e.name.clone(),
            company_id: e.company_id.map(|c| c.as_uuid()),
            created_by: e.created_by,
            created_at: e.created_at,
        })),
        ChatEvent::ParticipantAdded(e) => {
            plan.rows.extend(participant_row(event));
            plan.rows.push(RowWrite::SetParticipantCount {
                count: e.participant_count,
            });
        }
        ChatEvent::MessageSent(e) => {
            let message = sent(e)?;
            plan.rows.push(last_message(&message));
            plan.messages.push(MessageWrite::Insert(message));
        }
        ChatEvent::TelegramMessageReceived(e) => {
            let message = received(e)?;
            plan.rows.push(last_message(&message));
            plan.messages.push(MessageWrite::Insert(message));
        }
        // ASYNC events that change the chat's newest message as the chat keeps it.
        ChatEvent::MessageEdited(e) => plan.rows.push(RowWrite::ReviseLastMessage {
            message_id: e.message_id,
            revision: LastMessageRevision::Edited {
                content: e.content.clone(),
                edited_at: e.edited_at,
            },
        }),
        ChatEvent::MessageDeleted(e) => plan.rows.push(RowWrite::ReviseLastMessage {
            message_id: e.message_id,
            revision: LastMessageRevision::Deleted,
        }),
        // projector-async's alone (listed, so a new event is a decision here).
        ChatEvent::ChatUpdated(_)
        | ChatEvent::ChatArchived(_)
        | ChatEvent::ChatRestored(_)
        | ChatEvent::ChatHardDeleted(_)
        | ChatEvent::MessagesMarkedAsRead(_)
        | ChatEvent::ParticipantRemoved(_)
        | ChatEvent::ParticipantLeft(_)
        | ChatEvent::ParticipantRoleChanged(_)
        | ChatEvent::TelegramChatLinked(_)
        | ChatEvent::TelegramChatUnlinked(_)
        | ChatEvent::TelegramLinkChanged(_) => {}
    }
    Ok(plan)
}

fn plan_async(event: &ChatEvent) -> Result<Plan, NotATimeUuid> {
    let mut plan = Plan::default();
    let rows = &mut plan.rows;
    match event {
        ChatEvent::ChatCreated(_) => {}
        ChatEvent::ChatUpdated(e) => {
            if let Some(name) = &e.name {
                rows.push(RowWrite::RenameChat { name: name.clone() });
            }
        }
        ChatEvent::ChatArchived(_) => rows.push(RowWrite::SetArchived { archived: true }),
        ChatEvent::ChatRestored(_) => rows.push(RowWrite::SetArchived { archived: false }),
        ChatEvent::ChatHardDeleted(e) => {
            rows.push(RowWrite::DeleteChat);
            rows.push(RowWrite::ReadersClosed);
            plan.purge_until = Some(e.deleted_at);
        }
        ChatEvent::MessageEdited(e) => {
            plan.messages.push(MessageWrite::Edit {
                message_id: e.message_id,
                bucket: bucket(e.message_id)?,
                content: e.content.clone(),
                edited_at: e.edited_at,
            });
            rows.push(RowWrite::Text(TextWrite::Revise(TextRevision {
                message_id: e.message_id,
                content: e.content.clone(),
                previous_content: e.previous_content.clone(),
                editor_id: e.edited_by.user_id(),
                editor_name: match &e.edited_by {
                    Actor::User { name, .. } => name.clone(),
                    Actor::Service { name } => Some(name.clone()),
                },
                edited_at: e.edited_at,
            })));
        }
        ChatEvent::MessageDeleted(e) => {
            plan.messages.push(MessageWrite::Delete {
                message_id: e.message_id,
                bucket: bucket(e.message_id)?,
            });
            rows.push(RowWrite::Text(TextWrite::Forget {
                message_id: e.message_id,
            }));
            rows.push(RowWrite::MessageWithdrawn {
                position: e.message_version,
                sender: e.sender_id,
            });
        }
        ChatEvent::MessagesMarkedAsRead(e) => {
            plan.messages.push(MessageWrite::ReadStatus {
                user_id: e.user_id,
                last_read_message_id: e.last_read_message_id,
                read_at: e.read_at,
            });
            rows.push(RowWrite::ReadUpTo {
                user_id: e.user_id,
                message_id: e.last_read_message_id,
                message_version: e.last_read_message_version,
                unread_count: e.unread_count,
                at: e.read_at,
            });
        }
        ChatEvent::ParticipantRemoved(e) => {
            rows.extend(departure(event, e.user_id, e.participant_count));
        }
        ChatEvent::ParticipantLeft(e) => {
            rows.extend(departure(event, e.user_id, e.participant_count));
        }
        ChatEvent::ParticipantRoleChanged(_) => rows.extend(participant_row(event)),
        ChatEvent::TelegramChatLinked(e) => rows.push(RowWrite::SetTelegramLink {
            telegram_chat_id: e.telegram_chat_id,
            telegram_topic_id: e.telegram_topic_id,
            linked: true,
            linked_by: Some((e.linked_by, e.linked_at)),
        }),
        ChatEvent::TelegramChatUnlinked(e) => rows.push(RowWrite::SetTelegramLink {
            telegram_chat_id: e.telegram_chat_id,
            telegram_topic_id: e.telegram_topic_id,
            linked: false,
            linked_by: None,
        }),
        // A notice: in the history, unread and the chat's last message like a message
        // (its bucket must be in the chat's range for history to find it), not searched.
        ChatEvent::TelegramLinkChanged(e) => {
            if let TelegramLinkChange::Moved {
                to_telegram_chat_id,
            } = &e.change
            {
                rows.push(RowWrite::SetTelegramLink {
                    telegram_chat_id: *to_telegram_chat_id,
                    telegram_topic_id: e.telegram_topic_id,
                    linked: true,
                    linked_by: None,
                });
            }
            rows.push(RowWrite::MessageArrived {
                position: e.version,
                sender: None,
            });
            let notice = notice(e)?;
            rows.push(last_message(&notice));
            plan.messages.push(MessageWrite::Insert(notice));
        }
        // SYNC events: only their effect on the unread ledger (see the module docs) and,
        // for messages, the search (eventually consistent like every ASYNC projection).
        ChatEvent::ParticipantAdded(e) => rows.push(RowWrite::ReaderJoined { user_id: e.user_id }),
        ChatEvent::MessageSent(e) => {
            rows.push(RowWrite::MessageArrived {
                position: e.version,
                sender: Some(e.sender_id),
            });
            rows.push(RowWrite::Text(TextWrite::Index(sent(e)?)));
        }
        ChatEvent::TelegramMessageReceived(e) => {
            rows.push(RowWrite::MessageArrived {
                position: e.version,
                sender: None,
            });
            rows.push(RowWrite::Text(TextWrite::Index(received(e)?)));
            rows.push(RowWrite::Named {
                person: Person::Telegram(e.telegram_user_id),
                name: e.sender_name.clone(),
                at: e.created_at,
            });
        }
    }
    Ok(plan)
}

/// The participant row of `event`'s membership change: the domain's one membership rule
/// ([`ChatEvent::membership_change`]) as the row the participant table keeps. A hard
/// delete has none: the chat's row goes, and its participants with it.
fn participant_row(event: &ChatEvent) -> Option<RowWrite> {
    let (user_id, role, active, joined) = match event.membership_change()? {
        MembershipChange::Joined {
            user,
            role,
            added_by,
            joined_at,
        } => (user, role, true, Some((joined_at, added_by))),
        MembershipChange::RoleChanged { user, role } => (user, role, true, None),
        MembershipChange::Departed { user, role } => (user, role, false, None),
        MembershipChange::Dissolved => return None,
    };
    Some(RowWrite::SetParticipant {
        user_id,
        role,
        active,
        joined,
    })
}

fn departure(event: &ChatEvent, user_id: UserId, count: u32) -> impl Iterator<Item = RowWrite> {
    participant_row(event).into_iter().chain([
        RowWrite::SetParticipantCount { count },
        RowWrite::ReaderLeft { user_id },
    ])
}

fn sent(e: &MessageSent) -> Result<NewMessage, NotATimeUuid> {
    Ok(NewMessage {
        message_id: e.message_id,
        bucket: bucket(e.message_id)?,
        sender_id: Some(e.sender_id),
        sender_name: e.sender_name.clone(),
        content: e.content.clone(),
        message_type: message_type(e.message_type),
        attachment: e.attachment.clone().map(Box::new),
        reply_to: e.reply_to,
        source: e.source,
        telegram_message_id: None,
        telegram_user_id: None,
        created_at: e.created_at,
    })
}

fn received(e: &TelegramMessageReceived) -> Result<NewMessage, NotATimeUuid> {
    Ok(NewMessage {
        message_id: e.message_id,
        bucket: bucket(e.message_id)?,
        sender_id: None,
        sender_name: Some(e.sender_name.clone()),
        content: e.content.clone(),
        message_type: message_type(e.message_type),
        attachment: e.attachment.clone().map(Box::new),
        reply_to: e.reply_to,
        source: e.source,
        telegram_message_id: Some(e.telegram_message_id),
        telegram_user_id: Some(e.telegram_user_id),
        created_at: e.created_at,
    })
}

fn notice(e: &TelegramLinkChanged) -> Result<NewMessage, NotATimeUuid> {
    Ok(NewMessage {
        message_id: e.notice_id,
        bucket: bucket(e.notice_id)?,
        sender_id: None,
        sender_name: None,
        content: e.change.notice(),
        message_type: message_type(chat_domain::MessageType::Text),
        attachment: None,
        reply_to: None,
        source: chat_domain::MessageSource::System,
        telegram_message_id: None,
        telegram_user_id: None,
        created_at: e.changed_at,
    })
}

fn last_message(message: &NewMessage) -> RowWrite {
    RowWrite::SetLastMessage(message.clone())
}

fn message_type(t: chat_domain::MessageType) -> String {
    t.as_str().to_owned()
}
