//! Queries over the relational read models.

use std::collections::HashMap;

use chat_domain::{ChatId, ChatType, MessageId, Role, UserId};
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query;
use sqlx::{Postgres, Row};
use uuid::Uuid;

use super::{PgReadModels, db, u};
use crate::chat_list::ChatListQuery;
use crate::model::{
    ChatListEntry, ChatRecord, MessageRecord, ParticipantRecord, ReadPosition, TelegramLinkRecord,
    TemplateRecord,
};
use crate::person::Person;
use crate::plan::Projector;
use crate::ports::{ChatQueries, Result, StoreError};

/// The columns [`chat_record`] reads; `c` is `chats`, `t` the Telegram link.
const CHAT_COLUMNS: &str = "c.id, c.chat_type, c.name, c.company_id, c.created_by, \
     c.created_at, c.is_archived, c.participant_count, c.last_message_id, c.last_message_at, \
     c.last_message, c.oldest_bucket, c.newest_bucket, c.version, t.telegram_chat_id, t.telegram_topic_id";

/// The chat list's order (see [`crate::chat_list`]) on `a`, the chat's `chat_activity`
/// row: most recently active first, ties by id.
pub(super) const PAGE_ORDER: &str = "ORDER BY a.active_at DESC, a.chat_id";

/// A chat exists once created and until hard-deleted.
const CHAT_FROM: &str = "FROM chats c LEFT JOIN chat_telegram_links t \
     ON t.chat_id = c.id AND t.is_linked \
     WHERE c.chat_type IS NOT NULL AND NOT c.is_deleted";

fn chat_type(name: &str) -> Result<ChatType> {
    ChatType::from_name(name).ok_or_else(|| StoreError::Corrupt(format!("chat type {name:?}")))
}

fn role(name: &str) -> Result<Role> {
    Role::from_name(name).ok_or_else(|| StoreError::Corrupt(format!("role {name:?}")))
}

fn chat_record(row: &PgRow) -> Result<ChatRecord> {
    let kind: String = row.try_get("chat_type").map_err(db)?;
    let telegram: Option<i64> = row.try_get("telegram_chat_id").map_err(db)?;
    let oldest: Option<i32> = row.try_get("oldest_bucket").map_err(db)?;
    let newest: Option<i32> = row.try_get("newest_bucket").map_err(db)?;
    Ok(ChatRecord {
        id: ChatId::from_uuid(row.try_get("id").map_err(db)?),
        chat_type: chat_type(&kind)?,
        name: row.try_get("name").map_err(db)?,
        company_id: row.try_get("company_id").map_err(db)?,
        created_by: row
            .try_get::<Option<Uuid>, _>("created_by")
            .map_err(db)?
            .map(UserId::from_uuid),
        created_at: row.try_get("created_at").map_err(db)?,
        is_archived: row.try_get("is_archived").map_err(db)?,
        participant_count: u32::try_from(row.try_get::<i32, _>("participant_count").map_err(db)?)
            .unwrap_or(0),
        last_message_id: row
            .try_get::<Option<Uuid>, _>("last_message_id")
            .map_err(db)?
            .map(MessageId::from_uuid),
        last_message_at: row.try_get("last_message_at").map_err(db)?,
        last_message: row
            .try_get::<Option<sqlx::types::Json<MessageRecord>>, _>("last_message")
            .map_err(db)?
            .map(|json| json.0),
        telegram: match telegram {
            Some(telegram_chat_id) => Some(TelegramLinkRecord {
                telegram_chat_id,
                telegram_topic_id: row.try_get("telegram_topic_id").map_err(db)?,
            }),
            None => None,
        },
        version: u(row.try_get("version").map_err(db)?),
        buckets: oldest.zip(newest),
    })
}

impl ChatQueries for PgReadModels {
    async fn chat(&self, chat_id: ChatId) -> Result<Option<ChatRecord>> {
        let sql = format!("SELECT {CHAT_COLUMNS} {CHAT_FROM} AND c.id = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(chat_id.as_uuid())
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?
            .as_ref()
            .map(chat_record)
            .transpose()
    }

    async fn role_of(&self, chat_id: ChatId, user_id: UserId) -> Result<Option<Role>> {
        let name: Option<String> = sqlx::query_scalar(
            "SELECT role FROM chat_participants WHERE chat_id = $1 AND user_id = $2 AND is_active",
        )
        .bind(chat_id.as_uuid())
        .bind(user_id.as_uuid())
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        name.as_deref().map(role).transpose()
    }

    async fn chat_list(
        &self,
        user_id: UserId,
        query: &ChatListQuery,
    ) -> Result<Vec<ChatListEntry>> {
        let statement = list_page(&format!(
            "AND ($2::bool IS NULL OR a.is_archived = $2) \
             AND ($3::text IS NULL OR a.chat_type = $3) \
             AND ($4::uuid IS NULL OR a.company_id = $4) \
             AND ($5::timestamptz IS NULL OR a.active_at < $5 \
                  OR (a.active_at = $5 AND a.chat_id > $6)) \
             {PAGE_ORDER} LIMIT $7"
        ));
        let rows = statement
            .bind(user_id.as_uuid())
            .bind(query.archived)
            .bind(query.chat_type.map(ChatType::as_str))
            .bind(query.company_id)
            .bind(query.after.map(|a| a.active_at))
            .bind(query.after.map(|a| a.chat_id.as_uuid()))
            .bind(i64::try_from(query.limit).unwrap_or(i64::MAX))
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter().map(list_entry).collect()
    }

    async fn read_position(
        &self,
        chat_id: ChatId,
        user_id: UserId,
    ) -> Result<Option<ReadPosition>> {
        let row: Option<(i64, Option<Uuid>)> = sqlx::query_as(
            "SELECT unread_count, last_read_message_id FROM chat_read_positions \
             WHERE chat_id = $1 AND user_id = $2 AND is_active",
        )
        .bind(chat_id.as_uuid())
        .bind(user_id.as_uuid())
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        Ok(row.map(|(unread, last_read)| ReadPosition {
            unread_count: u(unread),
            last_read_message_id: last_read.map(MessageId::from_uuid),
        }))
    }

    async fn unread_chats(&self, user_id: UserId) -> Result<Vec<(ChatId, u64)>> {
        let rows: Vec<(Uuid, i64)> = sqlx::query_as(
            "SELECT r.chat_id, r.unread_count FROM chat_read_positions r \
             JOIN chat_activity a ON a.chat_id = r.chat_id \
             WHERE r.user_id = $1 AND r.is_active AND r.unread_count > 0 \
             AND NOT a.is_archived AND NOT a.is_deleted",
        )
        .bind(user_id.as_uuid())
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(rows
            .into_iter()
            .map(|(chat, unread)| (ChatId::from_uuid(chat), u(unread)))
            .collect())
    }

    async fn participants(&self, chat_id: ChatId) -> Result<Vec<ParticipantRecord>> {
        let rows = sqlx::query(
            "SELECT user_id, role, joined_at, added_by FROM chat_participants \
             WHERE chat_id = $1 AND is_active ORDER BY joined_version, user_id",
        )
        .bind(chat_id.as_uuid())
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|row| {
                let role_name: String = row.try_get("role").map_err(db)?;
                Ok(ParticipantRecord {
                    user_id: UserId::from_uuid(row.try_get("user_id").map_err(db)?),
                    role: role(&role_name)?,
                    joined_at: row.try_get("joined_at").map_err(db)?,
                    added_by: row
                        .try_get::<Option<Uuid>, _>("added_by")
                        .map_err(db)?
                        .map(UserId::from_uuid),
                })
            })
            .collect()
    }

    async fn names(&self, people: &[Person]) -> Result<HashMap<Person, String>> {
        if people.is_empty() {
            return Ok(HashMap::new());
        }
        let (mut users, mut telegram) = (Vec::new(), Vec::new());
        for person in people {
            match person {
                Person::User(id) => users.push(id.as_uuid()),
                Person::Telegram(id) => telegram.push(*id),
            }
        }
        let rows: Vec<(Option<Uuid>, Option<i64>, String)> = sqlx::query_as(
            "SELECT user_id, NULL::bigint, display_name FROM user_directory \
             WHERE user_id = ANY($1) \
             UNION ALL \
             SELECT NULL::uuid, telegram_user_id, display_name FROM telegram_user_directory \
             WHERE telegram_user_id = ANY($2)",
        )
        .bind(users)
        .bind(telegram)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(rows
            .into_iter()
            .filter_map(|(user, telegram, name)| {
                let person = match (user, telegram) {
                    (Some(user), _) => Person::User(UserId::from_uuid(user)),
                    (None, Some(telegram)) => Person::Telegram(telegram),
                    (None, None) => return None,
                };
                Some((person, name))
            })
            .collect())
    }

    async fn applied_version(&self, projector: Projector, chat_id: ChatId) -> Result<u64> {
        let version: Option<i64> = sqlx::query_scalar(
            "SELECT version FROM projection_checkpoints WHERE projector = $1 AND chat_id = $2",
        )
        .bind(projector.as_str())
        .bind(chat_id.as_uuid())
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        Ok(version.map_or(0, u))
    }

    async fn templates(&self, category: Option<&str>) -> Result<Vec<TemplateRecord>> {
        let rows = sqlx::query(
            "SELECT id, name, category, body, created_at, updated_at FROM message_templates \
             WHERE is_active AND ($1::text IS NULL OR category = $1) ORDER BY category, name, id",
        )
        .bind(category)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(template).collect()
    }

    async fn template(&self, id: Uuid) -> Result<Option<TemplateRecord>> {
        sqlx::query(
            "SELECT id, name, category, body, created_at, updated_at FROM message_templates \
             WHERE is_active AND id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?
        .as_ref()
        .map(template)
        .transpose()
    }
}

/// A page of the chats user `$1` participates in, as [`list_entry`] reads them:
/// `page` (more conditions on `a`, the chats' `chat_activity` rows, then `ORDER BY` and
/// `LIMIT`) picks the chats first on that narrow table (the ordering of a user in 2,000
/// chats reads 2,000 rows of some 100 bytes, not 2,000 chat rows with their newest
/// message, which every message rewrites), then only those are read whole and joined
/// with their Telegram link and the user's reading (50 lookups each).
///
/// The query is planned for its values on every call, never from a cached generic plan:
/// with its conditions' values and LIMIT unknown, a generic plan misjudges how many of
/// the user's chats match and walks every chat of the system probing the user's
/// membership of each (EXPLAIN ANALYZE, a reader in 2,000 of 2,500 chats: 11.0 ms
/// against 2.0 ms planned for the values).
pub(super) fn list_page(page: &str) -> Query<'static, Postgres, PgArguments> {
    let sql = format!(
        "SELECT {CHAT_COLUMNS}, page.role, r.unread_count, r.last_read_message_id \
         FROM ( \
             SELECT a.chat_id AS id, p.role, a.active_at FROM chat_activity a \
             JOIN chat_participants p ON p.chat_id = a.chat_id AND p.user_id = $1 \
                 AND p.is_active \
             WHERE NOT a.is_deleted {page} \
         ) AS page \
         JOIN chats c ON c.id = page.id \
         LEFT JOIN chat_telegram_links t ON t.chat_id = c.id AND t.is_linked \
         LEFT JOIN chat_read_positions r ON r.chat_id = c.id AND r.user_id = $1 \
         ORDER BY page.active_at DESC, c.id"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false)
}

/// A chat list row: the chat's columns and the user's role and reading.
pub(super) fn list_entry(row: &PgRow) -> Result<ChatListEntry> {
    let role_name: String = row.try_get("role").map_err(db)?;
    Ok(ChatListEntry {
        chat: chat_record(row)?,
        role: role(&role_name)?,
        unread_count: u(row
            .try_get::<Option<i64>, _>("unread_count")
            .map_err(db)?
            .unwrap_or(0)),
        last_read_message_id: row
            .try_get::<Option<Uuid>, _>("last_read_message_id")
            .map_err(db)?
            .map(MessageId::from_uuid),
    })
}

fn template(row: &PgRow) -> Result<TemplateRecord> {
    Ok(TemplateRecord {
        id: row.try_get("id").map_err(db)?,
        name: row.try_get("name").map_err(db)?,
        category: row.try_get("category").map_err(db)?,
        body: row.try_get("body").map_err(db)?,
        created_at: row.try_get("created_at").map_err(db)?,
        updated_at: row.try_get("updated_at").map_err(db)?,
    })
}
