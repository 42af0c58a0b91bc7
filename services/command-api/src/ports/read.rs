//! The read side as the routes reach it: the membership authority, the read models'
//! queries, and the wait for projector-sync. The routes hold each as `Arc<dyn ..>`, so
//! one build of them serves PostgreSQL and CQL in production and memory in tests.
//!
//! chat-read-model's query traits return `impl Future` (plain `async fn` adapters, no box
//! in the projectors), which no `dyn` can hold. Each port here is the part of one of
//! them the routes use, with boxed futures, and a blanket impl makes every adapter of
//! that trait (PostgreSQL, CQL, memory) the port as it is. One box per query is noise
//! beside the query's round trip.

use std::collections::{HashMap, HashSet};
use std::fmt::Debug;
use std::time::Duration;

use chat_domain::{ChatId, MessageId, Role, UserId};
use chat_read_model::chat_list::ChatListQuery;
use chat_read_model::model::{
    BucketRange, ChatListEntry, ChatRecord, EditRecord, MessageRecord, ParticipantRecord,
    ReadPosition, TemplateRecord,
};
use chat_read_model::person::Person;
use chat_read_model::ports::Result as ReadResult;
use chat_read_model::search::{MessageSearchQuery, SearchPage};
use chat_read_model::{ChatQueries, EditQueries, MessageQueries, SearchQueries};
use futures_util::future::BoxFuture;
use uuid::Uuid;

use super::StoreError;

/// A read-model query's answer, boxed.
pub type Reply<'a, T> = BoxFuture<'a, ReadResult<T>>;

/// Who is in which chat now, as the write side stored it with the events: every access
/// check asks it, not the read models, which may lag behind a removal.
pub trait Membership: Send + Sync + Debug {
    /// The user's role in the chat, if they are in it now.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], or [`StoreError::Corrupt`] for a role this code
    /// never stores.
    fn role_of(
        &self,
        chat_id: ChatId,
        user: UserId,
    ) -> BoxFuture<'_, Result<Option<Role>, StoreError>>;

    /// The chats the user is in now.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    fn chats_of(&self, user: UserId) -> BoxFuture<'_, Result<HashSet<ChatId>, StoreError>>;

    /// Which of `chats` the user is in now.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    fn current_among<'a>(
        &'a self,
        user: UserId,
        chats: &'a [ChatId],
    ) -> BoxFuture<'a, Result<HashSet<ChatId>, StoreError>>;
}

/// The chat queries the routes use ([`ChatQueries`]).
pub trait ChatReads: Send + Sync + Debug {
    /// [`ChatQueries::chat`].
    fn chat(&self, chat_id: ChatId) -> Reply<'_, Option<ChatRecord>>;

    /// [`ChatQueries::chat_list`].
    fn chat_list<'a>(
        &'a self,
        user_id: UserId,
        query: &'a ChatListQuery,
    ) -> Reply<'a, Vec<ChatListEntry>>;

    /// [`ChatQueries::read_position`].
    fn read_position(&self, chat_id: ChatId, user_id: UserId) -> Reply<'_, Option<ReadPosition>>;

    /// [`ChatQueries::unread_chats`].
    fn unread_chats(&self, user_id: UserId) -> Reply<'_, Vec<(ChatId, u64)>>;

    /// [`ChatQueries::participants`].
    fn participants(&self, chat_id: ChatId) -> Reply<'_, Vec<ParticipantRecord>>;

    /// [`ChatQueries::names`].
    fn names<'a>(&'a self, people: &'a [Person]) -> Reply<'a, HashMap<Person, String>>;

    /// [`ChatQueries::templates`].
    fn templates<'a>(&'a self, category: Option<&'a str>) -> Reply<'a, Vec<TemplateRecord>>;

    /// [`ChatQueries::template`].
    fn template(&self, id: Uuid) -> Reply<'_, Option<TemplateRecord>>;
}

impl<T: ChatQueries + Debug> ChatReads for T {
    fn chat(&self, chat_id: ChatId) -> Reply<'_, Option<ChatRecord>> {
        Box::pin(ChatQueries::chat(self, chat_id))
    }

    fn chat_list<'a>(
        &'a self,
        user_id: UserId,
        query: &'a ChatListQuery,
    ) -> Reply<'a, Vec<ChatListEntry>> {
        Box::pin(ChatQueries::chat_list(self, user_id, query))
    }

    fn read_position(&self, chat_id: ChatId, user_id: UserId) -> Reply<'_, Option<ReadPosition>> {
        Box::pin(ChatQueries::read_position(self, chat_id, user_id))
    }

    fn unread_chats(&self, user_id: UserId) -> Reply<'_, Vec<(ChatId, u64)>> {
        Box::pin(ChatQueries::unread_chats(self, user_id))
    }

    fn participants(&self, chat_id: ChatId) -> Reply<'_, Vec<ParticipantRecord>> {
        Box::pin(ChatQueries::participants(self, chat_id))
    }

    fn names<'a>(&'a self, people: &'a [Person]) -> Reply<'a, HashMap<Person, String>> {
        Box::pin(ChatQueries::names(self, people))
    }

    fn templates<'a>(&'a self, category: Option<&'a str>) -> Reply<'a, Vec<TemplateRecord>> {
        Box::pin(ChatQueries::templates(self, category))
    }

    fn template(&self, id: Uuid) -> Reply<'_, Option<TemplateRecord>> {
        Box::pin(ChatQueries::template(self, id))
    }
}

/// The message queries ([`MessageQueries`]).
pub trait MessageReads: Send + Sync + Debug {
    /// [`MessageQueries::message`].
    fn message(
        &self,
        chat_id: ChatId,
        bucket: i32,
        message_id: MessageId,
    ) -> Reply<'_, Option<MessageRecord>>;

    /// [`MessageQueries::bucket_page`].
    fn bucket_page(&self, chat_id: ChatId, range: BucketRange) -> Reply<'_, Vec<MessageRecord>>;

    /// [`MessageQueries::messages`].
    fn messages<'a>(&'a self, ids: &'a [(ChatId, MessageId)]) -> Reply<'a, Vec<MessageRecord>>;
}

impl<T: MessageQueries + Debug> MessageReads for T {
    fn message(
        &self,
        chat_id: ChatId,
        bucket: i32,
        message_id: MessageId,
    ) -> Reply<'_, Option<MessageRecord>> {
        Box::pin(MessageQueries::message(self, chat_id, bucket, message_id))
    }

    fn bucket_page(&self, chat_id: ChatId, range: BucketRange) -> Reply<'_, Vec<MessageRecord>> {
        Box::pin(MessageQueries::bucket_page(self, chat_id, range))
    }

    fn messages<'a>(&'a self, ids: &'a [(ChatId, MessageId)]) -> Reply<'a, Vec<MessageRecord>> {
        Box::pin(MessageQueries::messages(self, ids))
    }
}

/// The port back as chat-read-model's trait, for the code written against it (history
/// paging walks the buckets through [`MessageQueries`]).
impl MessageQueries for dyn MessageReads {
    async fn message(
        &self,
        chat_id: ChatId,
        bucket: i32,
        message_id: MessageId,
    ) -> ReadResult<Option<MessageRecord>> {
        MessageReads::message(self, chat_id, bucket, message_id).await
    }

    async fn bucket_page(
        &self,
        chat_id: ChatId,
        range: BucketRange,
    ) -> ReadResult<Vec<MessageRecord>> {
        MessageReads::bucket_page(self, chat_id, range).await
    }

    async fn messages(&self, ids: &[(ChatId, MessageId)]) -> ReadResult<Vec<MessageRecord>> {
        MessageReads::messages(self, ids).await
    }
}

/// The edit history of messages ([`EditQueries`]).
pub trait EditReads: Send + Sync + Debug {
    /// [`EditQueries::edits`].
    fn edits(&self, chat_id: ChatId, message_id: MessageId) -> Reply<'_, Vec<EditRecord>>;
}

impl<T: EditQueries + Debug> EditReads for T {
    fn edits(&self, chat_id: ChatId, message_id: MessageId) -> Reply<'_, Vec<EditRecord>> {
        Box::pin(EditQueries::edits(self, chat_id, message_id))
    }
}

/// Message and chat search ([`SearchQueries`]).
pub trait SearchReads: Send + Sync + Debug {
    /// [`SearchQueries::search_messages`].
    fn search_messages<'a>(&'a self, query: &'a MessageSearchQuery) -> Reply<'a, SearchPage>;

    /// [`SearchQueries::search_chats`].
    fn search_chats<'a>(
        &'a self,
        user_id: UserId,
        text: &'a str,
        limit: usize,
    ) -> Reply<'a, Vec<ChatListEntry>>;
}

impl<T: SearchQueries + Debug> SearchReads for T {
    fn search_messages<'a>(&'a self, query: &'a MessageSearchQuery) -> Reply<'a, SearchPage> {
        Box::pin(SearchQueries::search_messages(self, query))
    }

    fn search_chats<'a>(
        &'a self,
        user_id: UserId,
        text: &'a str,
        limit: usize,
    ) -> Reply<'a, Vec<ChatListEntry>> {
        Box::pin(SearchQueries::search_chats(self, user_id, text, limit))
    }
}

/// Waits until projector-sync applied a chat's version (read-your-writes).
pub trait ProjectionWait: Send + Sync + Debug {
    /// Whether projector-sync applied `version` of `chat_id` (or later) within
    /// `timeout`.
    ///
    /// # Errors
    /// When the checkpoint cannot be read.
    fn wait(&self, chat_id: ChatId, version: u64, timeout: Duration) -> Reply<'_, bool>;
}

impl ProjectionWait for chat_read_model::pg::applied::AppliedWaiter {
    fn wait(&self, chat_id: ChatId, version: u64, timeout: Duration) -> Reply<'_, bool> {
        Box::pin(Self::wait(self, chat_id, version, timeout))
    }
}
