//! Messages in memory: each message's writes under the versions that wrote them (CQL's
//! write times), read through the one rule of what they mean
//! ([`MessageRecord::from_writes`]).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use chat_domain::{ChatId, MessageId};

use super::MemoryReadModels;
use crate::bucket::bucket_of_message;
use crate::model::{BucketRange, Direction, MessageRecord, PurgeScope};
use crate::plan::MessageWrite;
use crate::ports::{MessageQueries, MessageStore, Result};

/// One message's writes, each event's under its version (a redelivery replaces its own
/// writes with the same ones). What they show is [`MessageRecord::from_writes`], the one
/// statement of what the messages store's writes mean.
#[derive(Debug, Clone, Default)]
pub(super) struct StoredMessage {
    writes: BTreeMap<u64, Vec<MessageWrite>>,
}

impl StoredMessage {
    /// The message as stored (`None` until its insert lands).
    fn record(&self, chat_id: ChatId) -> Option<MessageRecord> {
        let writes = self
            .writes
            .iter()
            .flat_map(|(version, writes)| writes.iter().map(|w| (*version, w)));
        MessageRecord::from_writes(chat_id, writes)
    }
}

impl MessageStore for MemoryReadModels {
    async fn apply(&self, chat_id: ChatId, version: u64, writes: &[MessageWrite]) -> Result<()> {
        let mut state = self.state();
        if state.purged.get(&chat_id).is_some_and(|p| version <= *p) {
            return Ok(());
        }
        let mut by_message: BTreeMap<MessageId, Vec<MessageWrite>> = BTreeMap::new();
        // Read positions are not kept here: no query of this adapter reads them.
        for write in writes {
            if let Some(id) = write.message_id() {
                by_message.entry(id).or_default().push(write.clone());
            }
        }
        for (id, writes) in by_message {
            let stored = state.messages.entry((chat_id, id)).or_default();
            stored.writes.insert(version, writes);
        }
        Ok(())
    }

    async fn purge(&self, chat_id: ChatId, version: u64, scope: &PurgeScope) -> Result<()> {
        let mut state = self.state();
        state.messages.retain(|(chat, id), _| {
            *chat != chat_id || !bucket_of_message(*id).is_some_and(|b| scope.buckets.contains(&b))
        });
        let purged = state.purged.entry(chat_id).or_default();
        *purged = (*purged).max(version);
        Ok(())
    }

    async fn truncate(&self) -> Result<()> {
        let mut state = self.state();
        state.messages.clear();
        state.purged.clear();
        Ok(())
    }
}

/// TIMEUUID order: by time, then by the remaining bytes (as CQL's `timeuuid` sorts).
fn time_order(a: MessageId, b: MessageId) -> Ordering {
    let time = |id: MessageId| id.as_uuid().get_timestamp().map(|t| t.to_gregorian().0);
    time(a)
        .cmp(&time(b))
        .then_with(|| a.as_uuid().cmp(&b.as_uuid()))
}

impl MessageQueries for MemoryReadModels {
    async fn message(
        &self,
        chat_id: ChatId,
        _bucket: i32,
        message_id: MessageId,
    ) -> Result<Option<MessageRecord>> {
        let state = self.state();
        Ok(state
            .messages
            .get(&(chat_id, message_id))
            .and_then(|m| m.record(chat_id)))
    }

    async fn bucket_page(&self, chat_id: ChatId, range: BucketRange) -> Result<Vec<MessageRecord>> {
        let state = self.state();
        let mut page: Vec<MessageRecord> = state
            .messages
            .iter()
            .filter(|((chat, id), _)| {
                *chat == chat_id && bucket_of_message(*id) == Some(range.bucket)
            })
            .filter_map(|((_, id), m)| {
                let newer = range
                    .after
                    .is_none_or(|a| time_order(*id, a) == Ordering::Greater);
                let older = range
                    .before
                    .is_none_or(|b| time_order(*id, b) == Ordering::Less);
                (newer && older).then(|| m.record(chat_id)).flatten()
            })
            .collect();
        page.sort_by(|a, b| time_order(a.id, b.id));
        if range.direction == Direction::Older {
            page.reverse();
        }
        page.truncate(range.limit);
        Ok(page)
    }

    async fn messages(&self, ids: &[(ChatId, MessageId)]) -> Result<Vec<MessageRecord>> {
        let state = self.state();
        Ok(ids
            .iter()
            .filter_map(|key| state.messages.get(key)?.record(key.0))
            .collect())
    }
}
