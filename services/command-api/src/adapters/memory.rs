//! In-memory adapters with the same contracts as the PostgreSQL ones, for fast tests:
//! the event store (and the membership authority it keeps, as PostgreSQL keeps
//! `chat_members` with the events), and the uploads of media messages.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chat_domain::{
    Aggregate, Chat, ChatEvent, ChatId, ChatState, Envelope, FactsQuery, MessageFacts, MessageId,
    MessageLog, Role, UserId,
};
use futures_util::future::BoxFuture;
use uuid::Uuid;

use chat_domain::chat::events::TelegramLinkChange;

use crate::media::uploads::Upload;
use crate::ports::read::Membership;
use crate::ports::uploads::UploadStore;
use crate::ports::{EventStore, NewEvents, StoreError};

#[derive(Debug, Default)]
struct Inner {
    events: HashMap<ChatId, Vec<Envelope>>,
    messages: HashMap<ChatId, MessageLog>,
    keys: HashMap<(UserId, String), (ChatId, MessageId)>,
    /// Telegram (supergroup, topic or 0) -> the chat linked to it.
    links: HashMap<(i64, i64), ChatId>,
}

/// Events and idempotency keys in a mutex-guarded map.
#[derive(Debug, Clone, Default)]
pub struct MemoryEventStore {
    inner: Arc<Mutex<Inner>>,
}

impl MemoryEventStore {
    /// Every stored event of `chat_id`, in version order.
    pub fn events(&self, chat_id: ChatId) -> Vec<Envelope> {
        self.lock()
            .events
            .get(&chat_id)
            .cloned()
            .unwrap_or_default()
    }

    /// How many events are stored, of every chat.
    pub fn event_count(&self) -> usize {
        self.lock().events.values().map(Vec::len).sum()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panicking test thread must not hide the data from the others.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The user's role in every chat they are in now, folded from the stored events.
    fn roles_of(&self, user: UserId) -> HashMap<ChatId, Role> {
        self.lock()
            .events
            .iter()
            .filter_map(|(chat, events)| {
                let state = Chat::replay(events.iter().map(|envelope| &envelope.payload));
                Some((*chat, state.data()?.role_of(user)?))
            })
            .collect()
    }
}

/// The `(supergroup, topic or 0)` an event claims for its chat: a link, or a move.
fn claimed_group(event: &ChatEvent) -> Option<(i64, i64)> {
    match event {
        ChatEvent::TelegramChatLinked(link) => {
            Some((link.telegram_chat_id, link.telegram_topic_id.unwrap_or(0)))
        }
        ChatEvent::TelegramLinkChanged(changed) => match changed.change {
            TelegramLinkChange::Moved {
                to_telegram_chat_id,
            } => Some((to_telegram_chat_id, changed.telegram_topic_id.unwrap_or(0))),
            TelegramLinkChange::Broken { .. } | TelegramLinkChange::Restored => None,
        },
        _ => None,
    }
}

/// Whether two claims overlap: the same topic of a supergroup, or the whole supergroup
/// (topic 0) and any of its topics (as `telegram_link_claims` is checked).
fn overlap((group, topic): (i64, i64), (other_group, other_topic): (i64, i64)) -> bool {
    group == other_group && (topic == 0 || other_topic == 0 || topic == other_topic)
}

/// Whether an event ends the chat's claims (an unlink, a hard delete, a move).
fn releases_claims(event: &ChatEvent) -> bool {
    matches!(
        event,
        ChatEvent::TelegramChatUnlinked(_) | ChatEvent::ChatHardDeleted(_)
    ) || matches!(event, ChatEvent::TelegramLinkChanged(c) if matches!(c.change, TelegramLinkChange::Moved { .. }))
}

impl Inner {
    fn append(&mut self, new: &NewEvents) -> Result<(), StoreError> {
        let stored = self.events.get(&new.chat_id).map_or(0, Vec::len) as u64;
        if stored != new.expected_version {
            return Err(StoreError::VersionConflict(new.chat_id));
        }
        for envelope in &new.envelopes {
            if let Some(group) = claimed_group(&envelope.payload)
                && self
                    .links
                    .iter()
                    .any(|(held, holder)| *holder != new.chat_id && overlap(*held, group))
            {
                return Err(StoreError::TelegramChatTaken {
                    telegram_chat_id: group.0,
                    telegram_topic_id: (group.1 != 0).then_some(group.1),
                });
            }
        }
        if let Some(claim) = &new.idempotency {
            let key = (claim.user_id, claim.key.clone());
            if self.keys.contains_key(&key) {
                return Err(StoreError::IdempotencyKeyTaken);
            }
            self.keys.insert(key, (claim.chat_id, claim.message_id));
        }
        for envelope in &new.envelopes {
            if releases_claims(&envelope.payload) {
                self.links.retain(|_, holder| *holder != new.chat_id);
            }
            if let Some(group) = claimed_group(&envelope.payload) {
                self.links.insert(group, new.chat_id);
            }
        }
        self.messages
            .entry(new.chat_id)
            .or_default()
            .record_all(new.envelopes.iter().map(|e| &e.payload));
        self.events
            .entry(new.chat_id)
            .or_default()
            .extend(new.envelopes.iter().cloned());
        Ok(())
    }
}

impl EventStore for MemoryEventStore {
    async fn append_batch(&self, batch: &[NewEvents]) -> Vec<Result<(), StoreError>> {
        let mut inner = self.lock();
        batch.iter().map(|new| inner.append(new)).collect()
    }

    async fn version(&self, chat_id: ChatId) -> Result<u64, StoreError> {
        Ok(self.lock().events.get(&chat_id).map_or(0, Vec::len) as u64)
    }

    async fn facts(&self, chat_id: ChatId, query: &FactsQuery) -> Result<MessageFacts, StoreError> {
        Ok(self
            .lock()
            .messages
            .get(&chat_id)
            .map(|log| log.answer(query))
            .unwrap_or_default())
    }

    async fn load(&self, chat_id: ChatId) -> Result<ChatState, StoreError> {
        let inner = self.lock();
        let events = inner.events.get(&chat_id).into_iter().flatten();
        Ok(Chat::replay(events.map(|envelope| &envelope.payload)))
    }

    async fn claimed_message(
        &self,
        user_id: UserId,
        key: &str,
    ) -> Result<Option<(ChatId, MessageId)>, StoreError> {
        Ok(self.lock().keys.get(&(user_id, key.to_owned())).copied())
    }
}

/// The membership authority as the stored events leave it: a hard-deleted chat has no
/// members, an archived one keeps them (as `chat_members` does).
impl Membership for MemoryEventStore {
    fn role_of(
        &self,
        chat_id: ChatId,
        user: UserId,
    ) -> BoxFuture<'_, Result<Option<Role>, StoreError>> {
        let inner = self.lock();
        let events = inner.events.get(&chat_id).into_iter().flatten();
        let state = Chat::replay(events.map(|envelope| &envelope.payload));
        let role = state.data().and_then(|data| data.role_of(user));
        Box::pin(std::future::ready(Ok(role)))
    }

    fn chats_of(&self, user: UserId) -> BoxFuture<'_, Result<HashSet<ChatId>, StoreError>> {
        let chats = self.roles_of(user).into_keys().collect();
        Box::pin(std::future::ready(Ok(chats)))
    }

    fn current_among<'a>(
        &'a self,
        user: UserId,
        chats: &'a [ChatId],
    ) -> BoxFuture<'a, Result<HashSet<ChatId>, StoreError>> {
        let current = self.roles_of(user);
        let among = chats
            .iter()
            .filter(|chat| current.contains_key(chat))
            .copied()
            .collect();
        Box::pin(std::future::ready(Ok(among)))
    }
}

/// The uploads asked for, in a mutex-guarded map.
#[derive(Debug, Clone, Default)]
pub struct MemoryUploads {
    uploads: Arc<Mutex<HashMap<Uuid, Upload>>>,
}

impl MemoryUploads {
    fn lock(&self) -> MutexGuard<'_, HashMap<Uuid, Upload>> {
        self.uploads.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl UploadStore for MemoryUploads {
    fn insert<'a>(&'a self, upload: &'a Upload) -> BoxFuture<'a, Result<(), StoreError>> {
        self.lock().insert(upload.upload_id, upload.clone());
        Box::pin(std::future::ready(Ok(())))
    }

    fn find(&self, upload_id: Uuid) -> BoxFuture<'_, Result<Option<Upload>, StoreError>> {
        let upload = self.lock().get(&upload_id).cloned();
        Box::pin(std::future::ready(Ok(upload)))
    }
}
