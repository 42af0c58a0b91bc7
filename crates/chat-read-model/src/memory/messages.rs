//! Messages in memory: cells that keep the version that wrote them (CQL's write time).

use std::cmp::Ordering;

use chat_domain::{ChatId, MessageId};

use super::{MemoryReadModels, StoredMessage, Versioned};
use crate::bucket::bucket_of_message;
use crate::model::{BucketRange, Direction, MessageRecord, PurgeScope};
use crate::plan::MessageWrite;
use crate::ports::{MessageQueries, MessageStore, Result};

impl MessageStore for MemoryReadModels {
    async fn apply(&self, chat_id: ChatId, version: u64, writes: &[MessageWrite]) -> Result<()> {
        let mut state = self.state();
        if state.purged.get(&chat_id).is_some_and(|p| version <= *p) {
            return Ok(());
        }
        for write in writes {
            let id = match write {
                MessageWrite::Insert(m) => m.message_id,
                MessageWrite::Edit { message_id, .. } | MessageWrite::Delete { message_id, .. } => {
                    *message_id
                }
                MessageWrite::ReadStatus { .. } => continue,
            };
            let stored = state
                .messages
                .entry((chat_id, id))
                .or_insert_with(|| StoredMessage {
                    base: None,
                    content: Versioned::default(),
                    edited: Versioned::default(),
                    deleted: Versioned::default(),
                });
            match write {
                MessageWrite::Insert(m) => {
                    if stored.base.as_ref().is_none_or(|b| b.version < version) {
                        stored.base = Some(Versioned {
                            version,
                            value: m.clone(),
                        });
                    }
                    stored.content.set(version, Some(m.content.clone()));
                }
                MessageWrite::Edit {
                    content, edited_at, ..
                } => {
                    stored.content.set(version, Some(content.clone()));
                    stored.edited.set(version, Some(*edited_at));
                }
                MessageWrite::Delete { .. } => {
                    stored.content.set(version, None);
                    stored.deleted.set(version, true);
                }
                MessageWrite::ReadStatus { .. } => {}
            }
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

fn message_record(chat_id: ChatId, stored: &StoredMessage) -> Option<MessageRecord> {
    let base = stored.base.as_ref()?;
    let m = &base.value;
    Some(MessageRecord {
        id: m.message_id,
        chat_id,
        sender_id: m.sender_id,
        sender_name: m.sender_name.clone(),
        content: stored.content.value.clone(),
        message_type: m.message_type.clone(),
        // A delete drops the file with the text.
        attachment: stored
            .content
            .value
            .as_ref()
            .and(m.attachment.as_deref().cloned()),
        reply_to: m.reply_to,
        source: m.source,
        telegram_message_id: m.telegram_message_id,
        telegram_user_id: m.telegram_user_id,
        created_at: m.created_at,
        is_edited: stored.edited.value.is_some(),
        edited_at: stored.edited.value,
        is_deleted: stored.deleted.value,
        version: base.version,
    })
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
            .and_then(|m| message_record(chat_id, m)))
    }

    async fn bucket_page(&self, chat_id: ChatId, range: BucketRange) -> Result<Vec<MessageRecord>> {
        let state = self.state();
        let mut page: Vec<MessageRecord> = state
            .messages
            .iter()
            .filter(|((chat, _), m)| {
                *chat == chat_id
                    && m.base
                        .as_ref()
                        .is_some_and(|b| b.value.bucket == range.bucket)
            })
            .filter_map(|((_, id), m)| {
                let newer = range
                    .after
                    .is_none_or(|a| time_order(*id, a) == Ordering::Greater);
                let older = range
                    .before
                    .is_none_or(|b| time_order(*id, b) == Ordering::Less);
                (newer && older)
                    .then(|| message_record(chat_id, m))
                    .flatten()
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
            .filter_map(|key| message_record(key.0, state.messages.get(key)?))
            .collect())
    }
}
