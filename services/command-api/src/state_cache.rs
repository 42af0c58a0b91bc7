//! Recently used chat states, kept in memory so a command does not reload its chat.
//!
//! Bounded by bytes ([`ChatState::approx_bytes`]): the least recently used states leave
//! first. A state here is only as fresh as this replica's last write to the chat; the
//! command service checks it against the store whenever it matters (an append states
//! the version it was decided at; a rejection or no-op re-reads the stored version).

use std::sync::{Mutex, MutexGuard, PoisonError};

use chat_domain::{ChatId, ChatState};
use lru::LruCache;

use crate::write_metrics::{CACHE_BYTES, CACHE_LOOKUPS};

/// Chat states by chat, least recently used out first.
#[derive(Debug)]
pub struct StateCache {
    budget: usize,
    inner: Mutex<Entries>,
}

#[derive(Debug)]
struct Entries {
    states: LruCache<ChatId, ChatState>,
    bytes: usize,
}

impl StateCache {
    /// A cache holding at most about `budget` bytes of states (0 keeps nothing).
    #[must_use]
    pub fn new(budget: usize) -> Self {
        Self {
            budget,
            inner: Mutex::new(Entries {
                states: LruCache::unbounded(),
                bytes: 0,
            }),
        }
    }

    /// The cached state of `chat_id`, if any.
    pub fn get(&self, chat_id: ChatId) -> Option<ChatState> {
        let found = self.lock().states.get(&chat_id).cloned();
        let outcome = if found.is_some() { "hit" } else { "miss" };
        CACHE_LOOKUPS.with_label_values(&[outcome]).inc();
        found
    }

    /// Keeps `state` as the chat's newest, evicting the least recently used past the
    /// budget.
    pub fn put(&self, chat_id: ChatId, state: ChatState) {
        let size = state.approx_bytes();
        let mut entries = self.lock();
        if let Some(old) = entries.states.put(chat_id, state) {
            entries.bytes -= old.approx_bytes();
        }
        entries.bytes += size;
        while entries.bytes > self.budget {
            match entries.states.pop_lru() {
                Some((_, old)) => entries.bytes -= old.approx_bytes(),
                None => break,
            }
        }
        CACHE_BYTES.set(i64::try_from(entries.bytes).unwrap_or(i64::MAX));
    }

    /// Forgets the chat's state (it may be stale, or its last write's outcome is unknown).
    pub fn evict(&self, chat_id: ChatId) {
        let mut entries = self.lock();
        if let Some(old) = entries.states.pop(&chat_id) {
            entries.bytes -= old.approx_bytes();
        }
        CACHE_BYTES.set(i64::try_from(entries.bytes).unwrap_or(i64::MAX));
    }

    /// The bytes the cached states take.
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }

    fn lock(&self) -> MutexGuard<'_, Entries> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use chat_domain::testing::fixtures::{ALICE, CHAT, History, create_group, user};
    use chat_domain::{ChatId, InMemoryChat};
    use uuid::Uuid;

    use super::*;

    fn chat(id: u128) -> ChatId {
        ChatId::from_uuid(Uuid::from_u128(id))
    }

    fn state_with(members: u128) -> ChatState {
        let others: Vec<_> = (1..=members).map(|n| user(0x900 + n)).collect();
        let mut chat = InMemoryChat::default();
        chat.run(create_group(ALICE, CHAT, &others).into())
            .expect("created");
        chat.state().clone()
    }

    #[test]
    fn the_least_recently_used_states_leave_past_the_budget() {
        let state = History::group().state().clone();
        let size = state.approx_bytes();
        let cache = StateCache::new(size * 2);
        cache.put(chat(1), state.clone());
        cache.put(chat(2), state.clone());
        assert!(cache.get(chat(1)).is_some(), "1 is now the most recent");
        cache.put(chat(3), state);
        assert!(
            cache.get(chat(2)).is_none(),
            "2 was the least recently used"
        );
        assert!(cache.get(chat(1)).is_some());
        assert!(cache.get(chat(3)).is_some());
        assert_eq!(cache.bytes(), size * 2);
    }

    #[test]
    fn bytes_follow_replacements_and_evictions() {
        let (small, large) = (state_with(1), state_with(50));
        let cache = StateCache::new(usize::MAX);
        cache.put(chat(1), small.clone());
        cache.put(chat(1), large.clone());
        assert_eq!(cache.bytes(), large.approx_bytes());
        cache.put(chat(2), small.clone());
        cache.evict(chat(1));
        assert_eq!(cache.bytes(), small.approx_bytes());
        assert_eq!(cache.get(chat(2)), Some(small));
    }

    #[test]
    fn a_zero_budget_keeps_nothing() {
        let cache = StateCache::new(0);
        cache.put(chat(1), state_with(1));
        assert!(cache.get(chat(1)).is_none());
        assert_eq!(cache.bytes(), 0);
    }
}
