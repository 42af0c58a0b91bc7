//! A store for the service's unit tests: the in-memory store, counting how often chats
//! are loaded and how big each stored batch was, with commits that take a while.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chat_domain::{ChatId, ChatState, FactsQuery, MessageFacts, MessageId, UserId};

use super::memory::MemoryEventStore;
use crate::ports::{EventStore, NewEvents, StoreError};

/// [`MemoryEventStore`] under observation.
#[derive(Debug, Default)]
pub struct ObservedStore {
    inner: MemoryEventStore,
    commit_time: Duration,
    loads: AtomicUsize,
    batches: Mutex<Vec<usize>>,
}

impl ObservedStore {
    /// A store whose every batch takes `commit_time` to store (so others queue behind).
    pub fn committing_in(commit_time: Duration) -> Self {
        Self {
            commit_time,
            ..Self::default()
        }
    }

    /// Chats loaded so far.
    pub fn loads(&self) -> usize {
        self.loads.load(Ordering::SeqCst)
    }

    /// The size of every batch stored so far.
    pub fn batches(&self) -> Vec<usize> {
        self.batches
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

impl EventStore for ObservedStore {
    async fn append_batch(&self, batch: &[NewEvents]) -> Vec<Result<(), StoreError>> {
        self.batches
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(batch.len());
        tokio::time::sleep(self.commit_time).await;
        self.inner.append_batch(batch).await
    }

    async fn version(&self, chat_id: ChatId) -> Result<u64, StoreError> {
        self.inner.version(chat_id).await
    }

    async fn facts(&self, chat_id: ChatId, query: &FactsQuery) -> Result<MessageFacts, StoreError> {
        self.inner.facts(chat_id, query).await
    }

    async fn load(&self, chat_id: ChatId) -> Result<ChatState, StoreError> {
        self.loads.fetch_add(1, Ordering::SeqCst);
        self.inner.load(chat_id).await
    }

    async fn claimed_message(
        &self,
        user_id: UserId,
        key: &str,
    ) -> Result<Option<(ChatId, MessageId)>, StoreError> {
        self.inner.claimed_message(user_id, key).await
    }
}
