//! The relational queries over the in-memory state.

use std::collections::HashMap;

use chat_domain::{ChatId, Role, UserId};
use uuid::Uuid;

use super::MemoryReadModels;
use crate::chat_list::{ChatListQuery, active_at};
use crate::model::{ChatListEntry, ChatRecord, ParticipantRecord, ReadPosition, TemplateRecord};
use crate::person::Person;
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

    async fn chat_list(
        &self,
        user_id: UserId,
        query: &ChatListQuery,
    ) -> Result<Vec<ChatListEntry>> {
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
            .filter(|e| {
                query.archived.is_none_or(|a| e.chat.is_archived == a)
                    && query.chat_type.is_none_or(|t| e.chat.chat_type == t)
                    && query
                        .company_id
                        .is_none_or(|c| e.chat.company_id == Some(c))
                    && query.after.is_none_or(|after| after.precedes(e))
            })
            .collect();
        entries.sort_by(|a, b| {
            active_at(b)
                .cmp(&active_at(a))
                .then_with(|| a.chat.id.cmp(&b.chat.id))
        });
        entries.truncate(query.limit);
        Ok(entries)
    }

    async fn read_position(
        &self,
        chat_id: ChatId,
        user_id: UserId,
    ) -> Result<Option<ReadPosition>> {
        Ok(self
            .state()
            .readers
            .get(&(chat_id, user_id))
            .filter(|r| r.active)
            .map(|r| ReadPosition {
                unread_count: r.unread,
                last_read_message_id: r.last_read,
            }))
    }

    async fn unread_chats(&self, user_id: UserId) -> Result<Vec<(ChatId, u64)>> {
        let state = self.state();
        Ok(state
            .readers
            .iter()
            .filter(|((chat, user), r)| {
                *user == user_id
                    && r.active
                    && r.unread > 0
                    && state.record(*chat).is_some_and(|c| !c.is_archived)
            })
            .map(|((chat, _), r)| (*chat, r.unread))
            .collect())
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

    async fn names(&self, people: &[Person]) -> Result<HashMap<Person, String>> {
        let state = self.state();
        Ok(people
            .iter()
            .filter_map(|p| Some((*p, state.names.get(p)?.1.clone())))
            .collect())
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
