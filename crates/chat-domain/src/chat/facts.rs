//! Message facts: what a rule needs to know about the messages a command names.
//!
//! The chat's state grows with its participants, never with its messages. What a rule
//! needs of a message (that it exists in this chat, its author, its position, its current
//! text or that it was deleted) and a reader's unread counts live in the write side's
//! message index instead. The write path asks the command what to look up
//! ([`ChatCommand::facts_query`]: each command answers beside its rule, in `decide/`),
//! looks it up for that one command, and hands the answer ([`MessageFacts`]) to `decide`
//! as input, so the rules stay pure.
//!
//! [`ChatEvent::message_change`] says how each event changes the index (declared in each
//! event payload's impl, one place for every store of it), and [`MessageLog`] is the index
//! in memory: the reference the stores are tested against, and what tests and in-memory
//! adapters decide with.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::{
    Aggregate,
    chat::{
        Attachment, Chat, ChatCommand, ChatError, ChatEvent, ChatState,
        state::{MessageAuthor, MessageRecord},
    },
    ids::{MessageId, UserId},
};

/// What to look up in the message index before deciding a command.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FactsQuery {
    /// The messages the command names: a new message's id, a reply target, the message
    /// to edit, delete or read up to.
    pub messages: Vec<MessageId>,
    /// The Telegram message (supergroup, message id) a receive names.
    pub telegram_message: Option<(i64, i64)>,
    /// A reader's unread counts, for marking read.
    pub unread: Option<UnreadQuery>,
}

impl FactsQuery {
    /// A lookup of the messages `ids` (and nothing else).
    pub(crate) fn of_messages(ids: impl IntoIterator<Item = MessageId>) -> Self {
        Self {
            messages: ids.into_iter().collect(),
            ..Self::default()
        }
    }

    /// Whether nothing needs looking up.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.messages.is_empty() && self.telegram_message.is_none() && self.unread.is_none()
    }
}

/// A reader's unread counts around the message they read up to.
///
/// A message is unread for the reader when it is not deleted, not written by them, and
/// sent after their floor (the later of their read position and the version that added
/// them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnreadQuery {
    /// The reader.
    pub reader: UserId,
    /// Their floor now.
    pub since: u64,
    /// The message they read up to.
    pub up_to: MessageId,
}

/// The answer to an [`UnreadQuery`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UnreadCounts {
    /// Unread messages after `since`: the count now.
    pub since: u64,
    /// Unread messages after both `since` and `up_to`'s position: the count once read.
    pub after_up_to: u64,
}

/// The answer to a [`FactsQuery`]: what `decide` knows of the chat's messages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageFacts {
    /// The named messages that exist in this chat (deleted ones included).
    pub messages: HashMap<MessageId, MessageRecord>,
    /// Whether the named Telegram message was received already.
    pub telegram_message_received: bool,
    /// The reader's counts, when asked.
    pub unread: UnreadCounts,
}

impl MessageFacts {
    /// A named message of this chat.
    ///
    /// # Errors
    /// [`ChatError::MessageNotFound`] when it is not one.
    pub(crate) fn require_message(&self, id: MessageId) -> Result<&MessageRecord, ChatError> {
        self.messages.get(&id).ok_or(ChatError::MessageNotFound)
    }

    /// Whether a message with this id exists in the chat.
    pub(crate) fn exists(&self, id: MessageId) -> bool {
        self.messages.contains_key(&id)
    }
}

/// How one event changes the message index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageChange<'a> {
    /// A message was sent (by a user or from Telegram).
    Added {
        /// The message.
        id: MessageId,
        /// Its position, author and text.
        record: MessageRecord,
        /// (supergroup, message id) of a Telegram message.
        telegram: Option<(i64, i64)>,
    },
    /// A message's text changed.
    Edited {
        /// The message.
        id: MessageId,
        /// Its new text.
        content: &'a str,
    },
    /// A message was deleted: it keeps its position, its text is dropped.
    Deleted {
        /// The message.
        id: MessageId,
    },
}

impl MessageChange<'_> {
    /// A message entering the index: sent at `position` (its event's version) by
    /// `author` with its text and file; `telegram` names a Telegram message's origin.
    pub(crate) fn added(
        id: MessageId,
        position: u64,
        author: MessageAuthor,
        content: String,
        attachment: Option<&Attachment>,
        telegram: Option<(i64, i64)>,
    ) -> Self {
        Self::Added {
            id,
            record: MessageRecord {
                position,
                author,
                content: Some(content),
                attachment_key: attachment.map(|a| a.key.clone()),
            },
            telegram,
        }
    }
}

/// The message index of one chat, in memory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageLog {
    messages: HashMap<MessageId, MessageRecord>,
    /// Position -> message: send order (not UUID order).
    order: BTreeMap<u64, MessageId>,
    telegram: BTreeSet<(i64, i64)>,
}

impl MessageLog {
    /// The index of `events` (one chat's, in order).
    #[must_use]
    pub fn of<'a>(events: impl IntoIterator<Item = &'a ChatEvent>) -> Self {
        let mut log = Self::default();
        log.record_all(events);
        log
    }

    /// Folds events into the index.
    pub fn record_all<'a>(&mut self, events: impl IntoIterator<Item = &'a ChatEvent>) {
        for event in events {
            self.record(event);
        }
    }

    /// Folds one event into the index.
    pub fn record(&mut self, event: &ChatEvent) {
        match event.message_change() {
            Some(MessageChange::Added {
                id,
                record,
                telegram,
            }) => {
                self.order.insert(record.position, id);
                self.messages.insert(id, record);
                self.telegram.extend(telegram);
            }
            Some(MessageChange::Edited { id, content }) => {
                if let Some(m) = self.messages.get_mut(&id) {
                    m.content = Some(content.to_owned());
                }
            }
            Some(MessageChange::Deleted { id }) => {
                if let Some(m) = self.messages.get_mut(&id) {
                    m.content = None;
                }
            }
            None => {}
        }
    }

    /// A message of the chat (deleted ones included).
    #[must_use]
    pub fn message(&self, id: MessageId) -> Option<&MessageRecord> {
        self.messages.get(&id)
    }

    /// Messages not deleted, not written by `reader`, after position `floor`.
    #[must_use]
    pub fn unread_after(&self, reader: UserId, floor: u64) -> u64 {
        let counted = self
            .order
            .range(floor.saturating_add(1)..)
            .filter_map(|(_, id)| self.messages.get(id))
            .filter(|m| !m.is_deleted() && m.author != MessageAuthor::User(reader))
            .count();
        u64::try_from(counted).unwrap_or(u64::MAX)
    }

    /// The exact unread count of `user` in `state` (0 for non-participants).
    #[must_use]
    pub fn unread_count(&self, state: &ChatState, user: UserId) -> u64 {
        state
            .data()
            .and_then(|d| d.read_floor(user))
            .map_or(0, |floor| self.unread_after(user, floor))
    }

    /// Answers a query.
    #[must_use]
    pub fn answer(&self, query: &FactsQuery) -> MessageFacts {
        let messages = query
            .messages
            .iter()
            .filter_map(|id| self.messages.get(id).map(|m| (*id, m.clone())))
            .collect();
        let unread = query.unread.map_or_else(UnreadCounts::default, |q| {
            let up_to = self.messages.get(&q.up_to).map_or(0, |m| m.position);
            UnreadCounts {
                since: self.unread_after(q.reader, q.since),
                after_up_to: self.unread_after(q.reader, up_to.max(q.since)),
            }
        });
        MessageFacts {
            messages,
            telegram_message_received: query
                .telegram_message
                .is_some_and(|key| self.telegram.contains(&key)),
            unread,
        }
    }

    /// Decides `command` against `state` with the facts of this index.
    ///
    /// # Errors
    /// The broken rule, as [`Chat::decide`](Aggregate::decide).
    pub fn decide(
        &self,
        state: &ChatState,
        command: ChatCommand,
    ) -> Result<Vec<ChatEvent>, ChatError> {
        let facts = self.answer(&command.facts_query(state));
        Chat::decide(state, &facts, command)
    }
}
