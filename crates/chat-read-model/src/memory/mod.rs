//! In-memory read models for fast tests: the same guards as the real adapters (the
//! projector checkpoint, per-column versions, write-time cells), on maps.
//!
//! - this module: the state and the row writes ([`RowStore`]).
//! - `messages`: message writes and history ([`crate::ports::MessageStore`],
//!   [`crate::ports::MessageQueries`]).
//! - `queries`: the chat queries ([`crate::ports::ChatQueries`]).
//! - `edits`: the edit history ([`crate::ports::EditQueries`]).

mod edits;
mod messages;
mod queries;

use messages::StoredMessage;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use chat_domain::{ChatId, MessageId, Role, UserId};
use time::OffsetDateTime;

use crate::model::{
    ChatRecord, EditRecord, MessageRecord, PurgeScope, TelegramLinkRecord, TemplateRecord,
};
use crate::person::Person;
use crate::plan::{NewChat, Projector, RowWrite, TextWrite};
use crate::ports::{Result, RowStore};

/// A value and the version that wrote it: a newer version wins, an older one is ignored.
#[derive(Debug, Clone, Default)]
struct Versioned<T> {
    version: u64,
    value: T,
}

impl<T> Versioned<T> {
    fn set(&mut self, version: u64, value: T) {
        if self.version < version {
            *self = Self { version, value };
        }
    }
}

#[derive(Debug, Clone, Default)]
struct ChatRow {
    created: Option<NewChat>,
    name: Versioned<Option<String>>,
    archived: Versioned<bool>,
    deleted: Versioned<bool>,
    count: Versioned<u32>,
    last: Versioned<Option<MessageRecord>>,
    buckets: Option<(i32, i32)>,
    version: u64,
}

#[derive(Debug, Clone)]
struct Member {
    role: Role,
    active: bool,
    version: u64,
    joined: Versioned<Option<(OffsetDateTime, UserId)>>,
}

#[derive(Debug, Clone, Default)]
struct Reader {
    active: bool,
    joined_version: u64,
    last_read: Option<MessageId>,
    last_read_version: u64,
    unread: u64,
}

/// Every table of the memory read models, behind one lock.
#[derive(Debug, Default)]
struct Tables {
    checkpoints: HashMap<(Projector, ChatId), u64>,
    chats: HashMap<ChatId, ChatRow>,
    members: BTreeMap<(ChatId, UserId), Member>,
    links: HashMap<ChatId, Versioned<Option<TelegramLinkRecord>>>,
    readers: BTreeMap<(ChatId, UserId), Reader>,
    messages: HashMap<(ChatId, MessageId), StoredMessage>,
    /// Each message's edits, oldest first.
    edits: HashMap<(ChatId, MessageId), Vec<EditRecord>>,
    /// Hard-deleted chats' purges: writes at or below this version stay deleted.
    purged: HashMap<ChatId, u64>,
    /// The user directory: each user's newest name and when it was given.
    names: HashMap<Person, (OffsetDateTime, String)>,
    rebuilds: HashSet<String>,
    templates: Vec<(TemplateRecord, bool)>,
}

/// The read models in memory (cheap to clone: clones share the maps).
#[derive(Debug, Clone, Default)]
pub struct MemoryReadModels {
    state: Arc<Mutex<Tables>>,
}

impl MemoryReadModels {
    fn state(&self) -> MutexGuard<'_, Tables> {
        // A panic while holding the lock leaves plain data behind; keep using it.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Stores a template (operators manage templates; tests seed them here).
    pub fn put_template(&self, template: TemplateRecord, active: bool) {
        self.state().templates.push((template, active));
    }
}

impl Tables {
    fn write(&mut self, chat_id: ChatId, version: u64, row: &RowWrite) {
        // A hard delete is the chat's last event: nobody is active after it.
        let deleted = self.chats.get(&chat_id).is_some_and(|c| c.deleted.value);
        match row {
            RowWrite::ReaderJoined { user_id } => {
                let reader = self.readers.entry((chat_id, *user_id)).or_default();
                reader.active = true;
                reader.joined_version = version;
                reader.unread = 0;
            }
            RowWrite::ReaderLeft { user_id } => {
                if let Some(reader) = self.readers.get_mut(&(chat_id, *user_id)) {
                    reader.active = false;
                    reader.unread = 0;
                }
            }
            RowWrite::ReadersClosed => {
                for reader in self.readers_of(chat_id) {
                    reader.active = false;
                    reader.unread = 0;
                }
            }
            RowWrite::MessageArrived { position, sender } => {
                for (user, reader) in self.readers_of_with_ids(chat_id) {
                    if counts(reader, user, *position, *sender) {
                        reader.unread += 1;
                    }
                }
            }
            RowWrite::MessageWithdrawn { position, sender } => {
                for (user, reader) in self.readers_of_with_ids(chat_id) {
                    if counts(reader, user, *position, *sender) {
                        reader.unread = reader.unread.saturating_sub(1);
                    }
                }
            }
            RowWrite::ReadUpTo {
                user_id,
                message_id,
                message_version,
                unread_count,
                ..
            } => {
                if let Some(reader) = self.readers.get_mut(&(chat_id, *user_id)) {
                    reader.last_read = Some(*message_id);
                    reader.last_read_version = *message_version;
                    reader.unread = *unread_count;
                }
            }
            // Full-text search is PostgreSQL's alone (its stemming and ranking): only the
            // edit history is kept here.
            RowWrite::Text(TextWrite::Index(_)) => {}
            RowWrite::Text(TextWrite::Revise(edit)) => {
                self.edits
                    .entry((chat_id, edit.message_id))
                    .or_default()
                    .push(EditRecord {
                        version,
                        content: edit.content.clone(),
                        previous_content: edit.previous_content.clone(),
                        edited_at: edit.edited_at,
                    });
            }
            RowWrite::Text(TextWrite::Forget { message_id }) => {
                self.edits.remove(&(chat_id, *message_id));
            }
            RowWrite::Named { person, name, at } => {
                let entry = self.names.entry(*person).or_insert((*at, name.clone()));
                if entry.0 < *at {
                    *entry = (*at, name.clone());
                }
            }
            RowWrite::SetParticipant {
                user_id,
                role,
                active,
                joined,
            } => {
                let active = *active && !deleted;
                let member = self
                    .members
                    .entry((chat_id, *user_id))
                    .or_insert_with(|| Member {
                        role: *role,
                        active,
                        version: 0,
                        joined: Versioned::default(),
                    });
                if member.version < version {
                    (member.role, member.active, member.version) = (*role, active, version);
                }
                if joined.is_some() {
                    member.joined.set(version, *joined);
                }
            }
            RowWrite::SetTelegramLink {
                telegram_chat_id,
                telegram_topic_id,
                linked,
                ..
            } => {
                let link = linked.then_some(TelegramLinkRecord {
                    telegram_chat_id: *telegram_chat_id,
                    telegram_topic_id: *telegram_topic_id,
                });
                self.links.entry(chat_id).or_default().set(version, link);
            }
            RowWrite::DeleteChat => {
                for ((chat, _), member) in &mut self.members {
                    if *chat == chat_id {
                        member.active = false;
                    }
                }
                self.chat(chat_id, version).deleted.set(version, true);
            }
            RowWrite::CreateChat(c) => {
                let chat = self.chat(chat_id, version);
                chat.created = Some(c.clone());
                chat.name.set(version, c.name.clone());
            }
            RowWrite::RenameChat { name } => {
                self.chat(chat_id, version)
                    .name
                    .set(version, Some(name.clone()));
            }
            RowWrite::SetArchived { archived } => {
                self.chat(chat_id, version).archived.set(version, *archived);
            }
            RowWrite::SetParticipantCount { count } => {
                self.chat(chat_id, version).count.set(version, *count);
            }
            RowWrite::SetLastMessage(message) => {
                let chat = self.chat(chat_id, version);
                let record = MessageRecord::first_stored(chat_id, version, message);
                chat.last.set(version, Some(record));
                let bucket = message.bucket;
                chat.buckets = Some(chat.buckets.map_or((bucket, bucket), |(lo, hi)| {
                    (lo.min(bucket), hi.max(bucket))
                }));
            }
            RowWrite::ReviseLastMessage {
                message_id,
                revision,
            } => {
                // Only an edit of the newest message changes the row (and its version).
                let newest = self.chats.get(&chat_id).and_then(|c| c.last.value.as_ref());
                if newest.is_some_and(|m| m.id == *message_id) {
                    let chat = self.chat(chat_id, version);
                    chat.last.value = chat.last.value.take().map(|m| m.revised(revision));
                }
            }
        }
    }

    fn chat(&mut self, chat_id: ChatId, version: u64) -> &mut ChatRow {
        let chat = self.chats.entry(chat_id).or_default();
        chat.version = chat.version.max(version);
        chat
    }

    fn readers_of(&mut self, chat_id: ChatId) -> impl Iterator<Item = &mut Reader> {
        self.readers_of_with_ids(chat_id).map(|(_, r)| r)
    }

    fn readers_of_with_ids(
        &mut self,
        chat_id: ChatId,
    ) -> impl Iterator<Item = (UserId, &mut Reader)> {
        self.readers
            .iter_mut()
            .filter(move |((chat, _), _)| *chat == chat_id)
            .map(|((_, user), reader)| (*user, reader))
    }

    fn record(&self, chat_id: ChatId) -> Option<ChatRecord> {
        let row = self.chats.get(&chat_id)?;
        let created = row.created.as_ref()?;
        if row.deleted.value {
            return None;
        }
        Some(ChatRecord {
            id: chat_id,
            chat_type: created.chat_type,
            name: row.name.value.clone(),
            company_id: created.company_id,
            created_by: Some(created.created_by),
            created_at: Some(created.created_at),
            is_archived: row.archived.value,
            participant_count: row.count.value,
            last_message_id: row.last.value.as_ref().map(|m| m.id),
            last_message_at: row.last.value.as_ref().map(|m| m.created_at),
            last_message: row.last.value.clone(),
            telegram: self.links.get(&chat_id).and_then(|l| l.value),
            version: row.version,
            buckets: row.buckets,
        })
    }
}

/// The unread rule of `chat_read_positions` (see the PostgreSQL adapter).
fn counts(reader: &Reader, user: UserId, position: u64, sender: Option<UserId>) -> bool {
    reader.active
        && sender != Some(user)
        && reader.joined_version.max(reader.last_read_version) < position
}

impl RowStore for MemoryReadModels {
    async fn apply(
        &self,
        projector: Projector,
        chat_id: ChatId,
        version: u64,
        rows: &[RowWrite],
    ) -> Result<bool> {
        let mut state = self.state();
        let checkpoint = state.checkpoints.entry((projector, chat_id)).or_default();
        if *checkpoint >= version {
            return Ok(false);
        }
        *checkpoint = version;
        for row in rows {
            state.write(chat_id, version, row);
        }
        Ok(true)
    }

    async fn purge_scope(
        &self,
        chat_id: ChatId,
        until: OffsetDateTime,
    ) -> Result<Option<PurgeScope>> {
        let state = self.state();
        let Some(row) = state.chats.get(&chat_id) else {
            return Ok(None);
        };
        let Some(created) = &row.created else {
            return Ok(None);
        };
        let of_chat = |(chat, user): &(ChatId, UserId)| (*chat == chat_id).then_some(*user);
        let readers: BTreeSet<UserId> = state
            .members
            .keys()
            .chain(state.readers.keys())
            .filter_map(of_chat)
            .collect();
        Ok(Some(PurgeScope::spanning(
            created.created_at,
            row.buckets,
            until,
            readers.into_iter().collect(),
        )))
    }

    async fn reset_once<F>(&self, rebuild_id: &str, empty_messages: F) -> Result<bool>
    where
        F: Future<Output = Result<()>> + Send,
    {
        if self.state().rebuilds.contains(rebuild_id) {
            return Ok(false);
        }
        empty_messages.await?;
        let mut state = self.state();
        let templates = std::mem::take(&mut state.templates);
        let mut rebuilds = std::mem::take(&mut state.rebuilds);
        rebuilds.insert(rebuild_id.to_owned());
        *state = Tables {
            rebuilds,
            templates,
            messages: std::mem::take(&mut state.messages),
            ..Tables::default()
        };
        Ok(true)
    }
}
