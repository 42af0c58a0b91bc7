//! Full-text search over `message_search` and the chat names, in PostgreSQL's `russian`
//! configuration (Russian stems for Cyrillic words, English stems for ASCII ones: see
//! the migration). Queries are parsed by `websearch_to_tsquery`, which takes any text
//! (quotes, `or`, `-word`, stray punctuation) without a syntax error.

use chat_domain::{ChatId, MessageId, UserId};
use sqlx::Row;
use uuid::Uuid;

use super::queries::{ACTIVE_AT, list_entry, list_select};
use super::{PgReadModels, db};
use crate::model::ChatListEntry;
use crate::ports::{Result, SearchQueries};
use crate::search::{MessageHit, MessageSearchQuery};

/// The snippet: the text HTML-escaped first (so nothing of it can act as markup), then
/// the whole of a short text, or some 10 to 30 words around the matches of a long one,
/// with the matched words in `<mark>`. (Fragment mode, `MaxFragments`, would drop the
/// words before a match even in a short text.)
const SNIPPET: &str = "ts_headline('russian', \
     replace(replace(replace(content, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), \
     websearch_to_tsquery('russian', $1), \
     'StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=10')";

/// Best match first, then newest; the page is cut before its snippets are made.
fn message_search_sql() -> String {
    format!(
        "SELECT chat_id, message_id, sender_id, sender_name, created_at, rank, \
         {SNIPPET} AS snippet FROM ( \
             SELECT chat_id, message_id, sender_id, sender_name, created_at, content, rank \
             FROM ( \
                 SELECT s.*, ts_rank(s.document, q.query) AS rank \
                 FROM message_search s, websearch_to_tsquery('russian', $1) AS q(query) \
                 WHERE s.document @@ q.query AND s.chat_id = ANY($2) \
             ) AS found \
             WHERE $3::real IS NULL \
                OR (rank, created_at, message_id) < ($3::real, $4::timestamptz, $5::uuid) \
             ORDER BY rank DESC, created_at DESC, message_id DESC LIMIT $6 \
         ) AS page ORDER BY rank DESC, created_at DESC, message_id DESC"
    )
}

/// `text` as a `LIKE` pattern matching it anywhere, its wildcards taken literally.
fn contains_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

impl SearchQueries for PgReadModels {
    async fn search_messages(&self, query: &MessageSearchQuery) -> Result<Vec<MessageHit>> {
        let chats: Vec<Uuid> = query.chats.iter().map(|c| c.as_uuid()).collect();
        // Planned anew for each search (an unnamed statement): a cached generic plan
        // cannot see how many chats and matches there are and may walk the chats' rows
        // instead of the text index (some 6x slower over 10,000 chats).
        let rows = sqlx::query(sqlx::AssertSqlSafe(message_search_sql()))
            .persistent(false)
            .bind(&query.text)
            .bind(chats)
            .bind(query.after.map(|a| a.rank))
            .bind(query.after.map(|a| a.created_at))
            .bind(query.after.map(|a| a.message_id.as_uuid()))
            .bind(i64::try_from(query.limit).unwrap_or(i64::MAX))
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter()
            .map(|row| {
                Ok(MessageHit {
                    chat_id: ChatId::from_uuid(row.try_get("chat_id").map_err(db)?),
                    message_id: MessageId::from_uuid(row.try_get("message_id").map_err(db)?),
                    sender_id: row
                        .try_get::<Option<Uuid>, _>("sender_id")
                        .map_err(db)?
                        .map(UserId::from_uuid),
                    sender_name: row.try_get("sender_name").map_err(db)?,
                    created_at: row.try_get("created_at").map_err(db)?,
                    snippet: row.try_get("snippet").map_err(db)?,
                    rank: row.try_get("rank").map_err(db)?,
                })
            })
            .collect()
    }

    async fn search_chats(
        &self,
        user_id: UserId,
        text: &str,
        limit: usize,
    ) -> Result<Vec<ChatListEntry>> {
        let sql = format!(
            "{} AND (to_tsvector('russian', COALESCE(c.name, '')) \
                     @@ websearch_to_tsquery('russian', $2) \
                 OR c.name ILIKE $3) \
             ORDER BY {ACTIVE_AT} DESC, c.id LIMIT $4",
            list_select()
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user_id.as_uuid())
            .bind(text)
            .bind(contains_pattern(text))
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter().map(list_entry).collect()
    }
}
