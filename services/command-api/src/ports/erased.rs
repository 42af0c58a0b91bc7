//! [`EventStore`] behind a pointer, so the routes' command service is one type whatever
//! store it runs on: PostgreSQL in production, memory in the memory-backed API tests.
//!
//! [`EventStore`] returns `impl Future`, which keeps its adapters plain `async fn`s and
//! lets [`crate::app::CommandService`] stay generic for its own tests, but no `dyn` can
//! hold such a trait. [`ErasedEventStore`] is the same methods with boxed futures,
//! implemented for every store; [`SharedEventStore`] turns it back into an
//! [`EventStore`]. One box per store call is noise beside the round trip it stands for.

use std::fmt::Debug;
use std::sync::Arc;

use chat_domain::{ChatId, ChatState, FactsQuery, MessageFacts, MessageId, UserId};
use futures_util::future::BoxFuture;

use super::{EventStore, NewEvents, StoreError};

/// [`EventStore`] with boxed futures: dyn-compatible. Implemented for every store.
pub trait ErasedEventStore: Send + Sync + Debug + 'static {
    /// [`EventStore::append_batch`].
    fn append_batch<'a>(
        &'a self,
        batch: &'a [NewEvents],
    ) -> BoxFuture<'a, Vec<Result<(), StoreError>>>;

    /// [`EventStore::version`].
    fn version(&self, chat_id: ChatId) -> BoxFuture<'_, Result<u64, StoreError>>;

    /// [`EventStore::facts`].
    fn facts<'a>(
        &'a self,
        chat_id: ChatId,
        query: &'a FactsQuery,
    ) -> BoxFuture<'a, Result<MessageFacts, StoreError>>;

    /// [`EventStore::load`].
    fn load(&self, chat_id: ChatId) -> BoxFuture<'_, Result<ChatState, StoreError>>;

    /// [`EventStore::claimed_message`].
    fn claimed_message<'a>(
        &'a self,
        user_id: UserId,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<(ChatId, MessageId)>, StoreError>>;
}

impl<S: EventStore + Debug> ErasedEventStore for S {
    fn append_batch<'a>(
        &'a self,
        batch: &'a [NewEvents],
    ) -> BoxFuture<'a, Vec<Result<(), StoreError>>> {
        Box::pin(EventStore::append_batch(self, batch))
    }

    fn version(&self, chat_id: ChatId) -> BoxFuture<'_, Result<u64, StoreError>> {
        Box::pin(EventStore::version(self, chat_id))
    }

    fn facts<'a>(
        &'a self,
        chat_id: ChatId,
        query: &'a FactsQuery,
    ) -> BoxFuture<'a, Result<MessageFacts, StoreError>> {
        Box::pin(EventStore::facts(self, chat_id, query))
    }

    fn load(&self, chat_id: ChatId) -> BoxFuture<'_, Result<ChatState, StoreError>> {
        Box::pin(EventStore::load(self, chat_id))
    }

    fn claimed_message<'a>(
        &'a self,
        user_id: UserId,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<(ChatId, MessageId)>, StoreError>> {
        Box::pin(EventStore::claimed_message(self, user_id, key))
    }
}

/// Any event store, shared: what the routes' command service runs on.
#[derive(Debug, Clone)]
pub struct SharedEventStore(Arc<dyn ErasedEventStore>);

impl SharedEventStore {
    /// `store` behind the pointer.
    pub fn new(store: impl EventStore + Debug) -> Self {
        Self(Arc::new(store))
    }
}

impl EventStore for SharedEventStore {
    async fn append_batch(&self, batch: &[NewEvents]) -> Vec<Result<(), StoreError>> {
        self.0.append_batch(batch).await
    }

    async fn version(&self, chat_id: ChatId) -> Result<u64, StoreError> {
        self.0.version(chat_id).await
    }

    async fn facts(&self, chat_id: ChatId, query: &FactsQuery) -> Result<MessageFacts, StoreError> {
        self.0.facts(chat_id, query).await
    }

    async fn load(&self, chat_id: ChatId) -> Result<ChatState, StoreError> {
        self.0.load(chat_id).await
    }

    async fn claimed_message(
        &self,
        user_id: UserId,
        key: &str,
    ) -> Result<Option<(ChatId, MessageId)>, StoreError> {
        self.0.claimed_message(user_id, key).await
    }
}
