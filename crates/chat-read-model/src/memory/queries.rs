//! The relational queries over the in-memory state.

use chat_domain::{ChatId, Role, UserId};
use uuid::Uuid;

use super::MemoryReadModels;
use crate::model::{ChatListEntry, ChatRecord, ParticipantRecord, TemplateRecord};
use crate::plan::Projector;
use crate::ports::{ChatQueries, Result};

impl ChatQueries for MemoryReadModels {
    async fn chat(&self, chat_id: ChatId) -> Result<Option<ChatRecord>> {
        Ok(self.state().record(chat_id))
    }

    async fn role_of(&self, chat_id: ChatId, user_id: UserId) -> Result<Option<Role>> {
        let state = self.state();
        Ok(state
            .members
            .get(&(chat_id, user_id))
            .filter(|m| m.active)
            .map(|m| m.role))
    }

    async fn chats_of(&self, user_id: UserId) -> Result<Vec<ChatListEntry>> {
        let state = self.state();
        let mut entries: Vec<ChatListEntry> = state
            .members
            .iter()
            .filter(|((_, user), m)| *user == user_id && m.active)
            .filter_map(|((chat, _), m)| {
                let reader = state.readers.get(&(*chat, user_id));
                Some(ChatListEntry {
                    chat: state.record(*chat)?,
                    role: m.role,
                    unread_count: reader.filter(|r| r.active).map_or(0, |r| r.unread),
                    last_read_message_id: reader.and_then(|r| r.last_read),
                })
            })
            .collect();
        let active_at = |e: &ChatListEntry| e.chat.last_message_at.or(e.chat.created_at);
        entries.sort_by(|a, b| {
            active_at(b)
                .cmp(&active_at(a))
                .then_with(|| a.chat.id.cmp(&b.chat.id))
        });
        Ok(entries)
    }

    async fn participants(&self, chat_id: ChatId) -> Result<Vec<ParticipantRecord>> {
        let state = self.state();
        let mut list: Vec<(u64, ParticipantRecord)> = state
            .members
            .iter()
            .filter(|((chat, _), m)| *chat == chat_id && m.active)
            .map(|((_, user), m)| {
                let joined = m.joined.value;
                (
                    m.joined.version,
                    ParticipantRecord {
                        user_id: *user,
                        role: m.role,
                        joined_at: joined.map(|(at, _)| at),
                        added_by: joined.map(|(_, by)| by),
                    },
                )
            })
            .collect();
        list.sort_by_key(|(joined, p)| (*joined, p.user_id));
        Ok(list.into_iter().map(|(_, p)| p).collect())
    }

    async fn applied_version(&self, projector: Projector, chat_id: ChatId) -> Result<u64> {
        Ok(self
            .state()
            .checkpoints
            .get(&(projector, chat_id))
            .copied()
            .unwrap_or(0))
    }

    async fn templates(&self, category: Option<&str>) -> Result<Vec<TemplateRecord>> {
        let mut list: Vec<TemplateRecord> = self
            .state()
            .templates
            .iter()
            .filter(|(t, active)| *active && category.is_none_or(|c| t.category == c))
            .map(|(t, _)| t.clone())
            .collect();
        list.sort_by(|a, b| (&a.category, &a.name, a.id).cmp(&(&b.category, &b.name, b.id)));
        Ok(list)
    }

    async fn template(&self, id: Uuid) -> Result<Option<TemplateRecord>> {
        Ok(self
            .state()
            .templates
            .iter()
            .find(|(t, active)| *active && t.id == id)
            .map(|(t, _)| t.clone()))
    }
}
