//! The read side's ports: projection writes and queries, over PostgreSQL ([`RowStore`],
//! [`ChatQueries`]) and the CQL store ([`MessageStore`], [`MessageQueries`]).
//!
//! Adapters: [`crate::pg`], [`crate::cql`] and [`crate::memory`] (fast tests).

use std::collections::HashMap;
use std::future::Future;

use chat_domain::{ChatId, MessageId, Role, UserId};
use uuid::Uuid;

use crate::chat_list::ChatListQuery;
use crate::model::{
    BucketRange, ChatListEntry, ChatRecord, EditRecord, MessageRecord, ParticipantRecord,
    PurgeScope, ReadPosition, TemplateRecord,
};
use crate::person::Person;
use crate::plan::{MessageWrite, Projector, RowWrite};
use crate::search::{MessageSearchQuery, SearchPage};

/// A read-model store failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// PostgreSQL failed or is unreachable (worth retrying).
    #[error("PostgreSQL failed: {0}")]
    Postgres(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The CQL store failed or is unreachable (worth retrying).
    #[error("the CQL store failed: {0}")]
    Cql(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A stored value is not one this code writes (a corrupt or foreign row).
    #[error("unexpected stored value: {0}")]
    Corrupt(String),
}

/// `Result` with [`StoreError`].
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The PostgreSQL side of a projection.
pub trait RowStore: Send + Sync {
    /// Applies one event's row writes for `projector`, atomically with its checkpoint
    /// `(projector, chat_id) = version`. Returns `false` (writing nothing) when the
    /// checkpoint already stands at `version` or later: a redelivery.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails; nothing was written then.
    fn apply(
        &self,
        projector: Projector,
        chat_id: ChatId,
        version: u64,
        rows: &[RowWrite],
    ) -> impl Future<Output = Result<bool>> + Send;

    /// Empties every read model (both stores) once per `rebuild_id`: the first caller
    /// runs `empty_messages` and empties the rows, later callers with the same id do
    /// nothing. Returns whether this call emptied them.
    ///
    /// # Errors
    /// [`StoreError`] when a store fails; a retry with the same id starts over.
    fn reset_once<F>(
        &self,
        rebuild_id: &str,
        empty_messages: F,
    ) -> impl Future<Output = Result<bool>> + Send
    where
        F: Future<Output = Result<()>> + Send;

    /// What a chat hard-deleted at `until` left in the CQL store: every bucket from its
    /// creation (or its oldest message) to `until` (or its newest message), one more on
    /// each side for clock skew between writers, and its readers. `None` while its
    /// creation is not projected yet (then its extent is unknown: ask again later).
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    fn purge_scope(
        &self,
        chat_id: ChatId,
        until: time::OffsetDateTime,
    ) -> impl Future<Output = Result<Option<PurgeScope>>> + Send;
}

/// The CQL side of a projection.
pub trait MessageStore: Send + Sync {
    /// Applies one event's message writes, each cell written at `version` (older events
    /// never overwrite newer cells, so a redelivery changes nothing).
    ///
    /// # Errors
    /// [`StoreError`] when the store fails; a retry rewrites the same cells.
    fn apply(
        &self,
        chat_id: ChatId,
        version: u64,
        writes: &[MessageWrite],
    ) -> impl Future<Output = Result<()>> + Send;

    /// Deletes the chat's messages and read statuses within `scope` that were written
    /// before `version` (a tombstone at that write time: older writes arriving later stay
    /// deleted; a redelivery deletes nothing new).
    ///
    /// # Errors
    /// [`StoreError`] when the store fails; a retry deletes the same.
    fn purge(
        &self,
        chat_id: ChatId,
        version: u64,
        scope: &PurgeScope,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Empties the message and read-status tables (rebuilds).
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    fn truncate(&self) -> impl Future<Output = Result<()>> + Send;
}

/// Queries over the PostgreSQL read models.
pub trait ChatQueries: Send + Sync {
    /// A chat that exists (created and not hard-deleted).
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    fn chat(&self, chat_id: ChatId) -> impl Future<Output = Result<Option<ChatRecord>>> + Send;

    /// The role of an active participant.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    fn role_of(
        &self,
        chat_id: ChatId,
        user_id: UserId,
    ) -> impl Future<Output = Result<Option<Role>>> + Send;

    /// A page of the chats `user_id` participates in that match `query`, most recently
    /// active first (see [`crate::chat_list`]).
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    fn chat_list(
        &self,
        user_id: UserId,
        query: &ChatListQuery,
    ) -> impl Future<Output = Result<Vec<ChatListEntry>>> + Send;

    /// Where `user_id` stands in a chat they participate in: their exact unread count
    /// and last read message (`None` when they do not participate).
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    fn read_position(
        &self,
        chat_id: ChatId,
        user_id: UserId,
    ) -> impl Future<Output = Result<Option<ReadPosition>>> + Send;

    /// The unarchived chats in which `user_id` has unread messages, with their counts.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    fn unread_chats(
        &self,
        user_id: UserId,
    ) -> impl Future<Output = Result<Vec<(ChatId, u64)>>> + Send;

    /// A chat's active participants.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    fn participants(
        &self,
        chat_id: ChatId,
    ) -> impl Future<Output = Result<Vec<ParticipantRecord>>> + Send;

    /// The display names the user directory knows of `people` (absent: none known).
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    fn names(
        &self,
        people: &[Person],
    ) -> impl Future<Output = Result<HashMap<Person, String>>> + Send;

    /// How far `projector` got in a chat (0: nothing applied).
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    fn applied_version(
        &self,
        projector: Projector,
        chat_id: ChatId,
    ) -> impl Future<Output = Result<u64>> + Send;

    /// Active templates, optionally of one category, by category and name.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    fn templates(
        &self,
        category: Option<&str>,
    ) -> impl Future<Output = Result<Vec<TemplateRecord>>> + Send;

    /// One active template.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    fn template(&self, id: Uuid) -> impl Future<Output = Result<Option<TemplateRecord>>> + Send;
}

/// Searches over the PostgreSQL read models (full-text search).
pub trait SearchQueries: Send + Sync {
    /// A page of the messages in `query.scope` that match `query.text`, a window of the
    /// newest matches at a time, best first within it (see [`crate::search`]).
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    fn search_messages(
        &self,
        query: &MessageSearchQuery,
    ) -> impl Future<Output = Result<SearchPage>> + Send;

    /// The chats `user_id` participates in whose name matches `text` (a word of it, in
    /// any form, or a part of it), most recently active first, at most `limit`.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    fn search_chats(
        &self,
        user_id: UserId,
        text: &str,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<ChatListEntry>>> + Send;
}

/// The edit history of messages (PostgreSQL).
pub trait EditQueries: Send + Sync {
    /// The edits of a message that still has its text, newest first (none when it was
    /// never edited, or deleted).
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    fn edits(
        &self,
        chat_id: ChatId,
        message_id: MessageId,
    ) -> impl Future<Output = Result<Vec<EditRecord>>> + Send;
}

/// Queries over the CQL read models.
pub trait MessageQueries: Send + Sync {
    /// One message (in `bucket`).
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    fn message(
        &self,
        chat_id: ChatId,
        bucket: i32,
        message_id: MessageId,
    ) -> impl Future<Output = Result<Option<MessageRecord>>> + Send;

    /// The messages of one bucket within `range`.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    fn bucket_page(
        &self,
        chat_id: ChatId,
        range: BucketRange,
    ) -> impl Future<Output = Result<Vec<MessageRecord>>> + Send;

    /// The messages named by `(chat, message)`, read together (a chat list's last
    /// messages), in no particular order; ids that name no stored message are skipped.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    fn messages(
        &self,
        ids: &[(ChatId, MessageId)],
    ) -> impl Future<Output = Result<Vec<MessageRecord>>> + Send;
}
