//! The latest applied version per chat that this process heard of, kept in memory so a
//! waiter whose version was already announced needs no query. Bounded: two generations
//! of at most half the capacity each; when the current one is full it becomes the
//! previous one and the oldest generation is forgotten (a forgotten chat only means the
//! next waiter for it listens or reads the checkpoint, as without this map).

use std::collections::HashMap;

use chat_domain::ChatId;

/// Latest applied versions of at most `capacity` chats (the most recently announced).
#[derive(Debug)]
pub(super) struct LatestApplied {
    current: HashMap<ChatId, u64>,
    previous: HashMap<ChatId, u64>,
    generation: usize,
}

impl LatestApplied {
    /// An empty map holding up to `capacity` chats (at least 2).
    pub(super) fn new(capacity: usize) -> Self {
        let generation = (capacity / 2).max(1);
        Self {
            current: HashMap::with_capacity(generation),
            previous: HashMap::new(),
            generation,
        }
    }

    /// The latest version of `chat_id` heard of, if it is still remembered.
    pub(super) fn get(&self, chat_id: ChatId) -> Option<u64> {
        let current = self.current.get(&chat_id).copied();
        let previous = self.previous.get(&chat_id).copied();
        current.max(previous)
    }

    /// Notes that `version` of `chat_id` is applied. Versions only move forward: an older
    /// announcement (a redelivered notification, a stale read) changes nothing.
    pub(super) fn record(&mut self, chat_id: ChatId, version: u64) {
        let version = self
            .get(chat_id)
            .map_or(version, |known| known.max(version));
        if self.current.len() >= self.generation && !self.current.contains_key(&chat_id) {
            self.previous =
                std::mem::replace(&mut self.current, HashMap::with_capacity(self.generation));
        }
        self.current.insert(chat_id, version);
    }

    /// How many chats are remembered (both generations).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.current.len() + self.previous.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chat(n: u128) -> ChatId {
        ChatId::from_uuid(uuid::Uuid::from_u128(n))
    }

    #[test]
    fn versions_only_move_forward() {
        let mut latest = LatestApplied::new(8);
        assert_eq!(latest.get(chat(1)), None);
        latest.record(chat(1), 5);
        latest.record(chat(1), 3);
        assert_eq!(latest.get(chat(1)), Some(5));
        latest.record(chat(1), 7);
        assert_eq!(latest.get(chat(1)), Some(7));
    }

    #[test]
    fn it_never_holds_more_than_its_capacity_and_forgets_the_oldest_first() {
        let mut latest = LatestApplied::new(100);
        for n in 0..1_000 {
            latest.record(chat(n), 1);
            assert!(latest.len() <= 100);
        }
        assert_eq!(latest.get(chat(999)), Some(1));
        assert_eq!(latest.get(chat(950)), Some(1));
        assert_eq!(latest.get(chat(0)), None);
    }

    #[test]
    fn a_chat_announced_again_survives_a_generation_change_with_its_newest_version() {
        let mut latest = LatestApplied::new(4);
        latest.record(chat(1), 10);
        latest.record(chat(2), 1);
        // chat 3 starts a new generation; chat 1 is in the previous one.
        latest.record(chat(3), 1);
        latest.record(chat(1), 4);
        assert_eq!(latest.get(chat(1)), Some(10));
        // After the next generation change chat 1 (announced again in the generation
        // that is now the previous one) is still known.
        latest.record(chat(4), 1);
        latest.record(chat(5), 1);
        assert_eq!(latest.get(chat(1)), Some(10));
    }
}
