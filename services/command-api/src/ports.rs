//! What command-api needs from storage, as traits with PostgreSQL (and CQL) adapters and
//! in-memory ones for fast tests.
//!
//! - this module: the event store the command path appends to ([`EventStore`]).
//! - [`erased`]: any event store behind a pointer, as the routes hold it.
//! - [`read`]: the read side as the routes reach it: the membership authority, the read
//!   models' queries, the wait for projector-sync.
//! - [`uploads`]: the uploads media messages ask for.

pub mod erased;
pub mod read;
pub mod uploads;

use std::future::Future;

use chat_domain::{ChatId, ChatState, Envelope, FactsQuery, MessageFacts, MessageId, UserId};

/// The events of one decision, to be stored atomically with their outbox rows and the
/// message index rows they change.
#[derive(Debug, Clone)]
pub struct NewEvents {
    /// The chat they belong to.
    pub chat_id: ChatId,
    /// The version the decision was made against (read from this store); the append fails
    /// with [`StoreError::VersionConflict`] if another writer got there first.
    pub expected_version: u64,
    /// The events, numbered `expected_version + 1 ..`.
    pub envelopes: Vec<Envelope>,
    /// W3C trace context headers to carry on the Kafka records.
    pub trace_context: Vec<(String, String)>,
    /// The idempotency key a send claims, stored in the same transaction.
    pub idempotency: Option<IdempotencyClaim>,
    /// The state after these events, when it is time to snapshot it.
    pub snapshot: Option<ChatState>,
}

/// A user's idempotency key and the message it produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyClaim {
    /// The sender.
    pub user_id: UserId,
    /// The client's key (an `Idempotency-Key` header or a client message id).
    pub key: String,
    /// The chat of the message.
    pub chat_id: ChatId,
    /// The message the key stands for.
    pub message_id: MessageId,
}

/// Why the store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another writer appended to the chat since it was loaded.
    #[error("chat {0} changed since it was loaded")]
    VersionConflict(ChatId),
    /// The idempotency key was claimed by a concurrent request.
    #[error("idempotency key already used")]
    IdempotencyKeyTaken,
    /// The Telegram supergroup (or topic) is linked to another chat already.
    #[error(
        "Telegram chat {telegram_chat_id} (topic {telegram_topic_id:?}) is linked to another chat"
    )]
    TelegramChatTaken {
        /// The supergroup.
        telegram_chat_id: i64,
        /// The forum topic, if the link names one.
        telegram_topic_id: Option<i64>,
    },
    /// The message's file is another message's already (two sends of one upload at
    /// once: the message index takes an object once).
    #[error("another message carries this file already")]
    AttachmentTaken,
    /// The store is unreachable or failed.
    #[error("event store unavailable: {0}")]
    Unavailable(#[source] anyhow::Error),
    /// Stored data that does not decode (a bug, or an incompatible schema).
    #[error("stored data is corrupt: {0}")]
    Corrupt(#[source] anyhow::Error),
}

/// The event store with its transactional outbox and the write side's message index.
pub trait EventStore: Send + Sync + 'static {
    /// Appends the decisions of several chats (one decision per chat), each with its
    /// events, outbox rows, message index changes, idempotency claim and snapshot, and
    /// answers each on its own: a decision is stored whole or not at all, and one
    /// decision's conflict does not fail the others. Telegram links are claimed (and
    /// released on unlink or hard delete) with the decision, so a supergroup serves one
    /// chat. A store may commit the whole batch at once (group commit).
    ///
    /// The answers, in the batch's order: [`StoreError::VersionConflict`] when the chat
    /// moved on, [`StoreError::IdempotencyKeyTaken`] when the key was claimed meanwhile,
    /// [`StoreError::TelegramChatTaken`] when another chat holds the supergroup,
    /// [`StoreError::Unavailable`] when the store failed (then the whole batch did).
    fn append_batch(
        &self,
        batch: &[NewEvents],
    ) -> impl Future<Output = Vec<Result<(), StoreError>>> + Send;

    /// Appends one decision: [`Self::append_batch`] of one.
    ///
    /// # Errors
    /// As the answers of [`Self::append_batch`].
    fn append(&self, new: NewEvents) -> impl Future<Output = Result<(), StoreError>> + Send {
        async move {
            let chat_id = new.chat_id;
            self.append_batch(std::slice::from_ref(&new))
                .await
                .pop()
                .unwrap_or_else(|| {
                    Err(StoreError::Corrupt(anyhow::anyhow!(
                        "chat {chat_id}: the store answered no append"
                    )))
                })
        }
    }

    /// The version of the chat's last stored event (0 when it has none): whether a state
    /// held in memory is still current.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    fn version(&self, chat_id: ChatId) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// What the message index knows that a command needs ([`FactsQuery`]).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    fn facts(
        &self,
        chat_id: ChatId,
        query: &FactsQuery,
    ) -> impl Future<Output = Result<MessageFacts, StoreError>> + Send;

    /// The chat's current state: its latest snapshot with the events after it folded in
    /// ([`ChatState::Absent`] for a chat that never existed).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    fn load(&self, chat_id: ChatId) -> impl Future<Output = Result<ChatState, StoreError>> + Send;

    /// The message an earlier send with this user's key produced, if any.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    fn claimed_message(
        &self,
        user_id: UserId,
        key: &str,
    ) -> impl Future<Output = Result<Option<(ChatId, MessageId)>, StoreError>> + Send;
}
