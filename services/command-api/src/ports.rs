//! What the command path needs from storage, as a trait with a PostgreSQL adapter and an
//! in-memory one for fast tests of the service logic.

use std::future::Future;

use chat_domain::{ChatId, ChatState, Envelope, MessageId, UserId};

/// The events of one decision, to be stored atomically with their outbox rows.
#[derive(Debug, Clone, Copy)]
pub struct NewEvents<'a> {
    /// The chat they belong to.
    pub chat_id: ChatId,
    /// The version the decision was made against; the append fails with
    /// [`StoreError::VersionConflict`] if another writer got there first.
    pub expected_version: u64,
    /// The events, numbered `expected_version + 1 ..`.
    pub envelopes: &'a [Envelope],
    /// W3C trace context headers to carry on the Kafka records.
    pub trace_context: &'a [(String, String)],
    /// The idempotency key a send claims, stored in the same transaction.
    pub idempotency: Option<&'a IdempotencyClaim>,
    /// The state after these events, when it is time to snapshot it.
    pub snapshot: Option<&'a ChatState>,
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
    /// The store is unreachable or failed.
    #[error("event store unavailable: {0}")]
    Unavailable(#[source] anyhow::Error),
    /// Stored data that does not decode (a bug, or an incompatible schema).
    #[error("stored data is corrupt: {0}")]
    Corrupt(#[source] anyhow::Error),
}

/// The event store with its transactional outbox.
pub trait EventStore: Send + Sync + 'static {
    /// Appends a decision's events, their outbox rows, an idempotency claim and a snapshot
    /// in one transaction: all of them or none. Telegram links are claimed (and released
    /// on unlink or hard delete) in the same transaction, so a supergroup serves one chat.
    ///
    /// # Errors
    /// [`StoreError::VersionConflict`] when the chat moved on, [`StoreError::IdempotencyKeyTaken`]
    /// when the key was claimed meanwhile, [`StoreError::TelegramChatTaken`] when another chat
    /// holds the supergroup, otherwise [`StoreError::Unavailable`].
    fn append(&self, new: NewEvents<'_>) -> impl Future<Output = Result<(), StoreError>> + Send;

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
