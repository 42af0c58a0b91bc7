//! Full-text search over `message_search` and the chat names, in PostgreSQL's `russian`
//! configuration (Russian stems for Cyrillic words, English stems for ASCII ones: see
//! the migration). Queries are parsed by `websearch_to_tsquery`, which takes any text
//! (quotes, `or`, `-word`, stray punctuation) without a syntax error.

use chat_domain::{ChatId, MessageId, UserId};
use sqlx::Row;
use sqlx::postgres::PgRow;
use time::OffsetDateTime;
use uuid::Uuid;

use super::queries::{PAGE_ORDER, list_entry, list_page};
use super::{PgReadModels, db};
use crate::model::ChatListEntry;
use crate::ports::{Result, SearchQueries};
use crate::search::{
    MessageHit, MessageSearchQuery, MessageTime, SearchCursor, SearchPage, SearchScope,
};

/// The snippet: the text HTML-escaped first (so nothing of it can act as markup), then
/// the whole of a short text, or some 10 to 30 words around the matches of a long one,
/// with the matched words in `<mark>`. (Fragment mode, `MaxFragments`, would drop the
/// words before a match even in a short text.)
const SNIPPET: &str = "ts_headline('russian', \
     replace(replace(replace(content, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), \
     websearch_to_tsquery('russian', $1), \
     'StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=10')";

/// One window of a search: the `$5` newest matches in the scope (older than `$3`/`$4`
/// when set), how many there are and the oldest of them, and a page of them (after the
/// `$7`..`$9` position when set) ranked, best first; the page is cut before its snippets
/// are made. With no hit the one row has the window's figures only.
///
/// Planned for each search (an unnamed statement) with its values: for a word in many
/// messages the newest matches come from a backward walk of the time index, for a rare
/// one from the text index; a generic plan cannot tell which it is.
fn window_sql(scope: &str) -> String {
    format!(
        "WITH candidates AS MATERIALIZED ( \
             SELECT s.chat_id, s.message_id, s.sender_id, s.sender_name, s.created_at, \
                    s.content, s.document \
             FROM message_search s \
             WHERE s.document @@ websearch_to_tsquery('russian', $1) AND {scope} \
               AND ($3::timestamptz IS NULL \
                    OR (s.created_at, s.message_id) < ($3::timestamptz, $4::uuid)) \
             ORDER BY s.created_at DESC, s.message_id DESC LIMIT $5 \
         ), oldest AS ( \
             SELECT created_at, message_id FROM candidates \
             ORDER BY created_at, message_id LIMIT 1 \
         ) \
         SELECT (SELECT count(*) FROM candidates) AS candidates, \
                o.created_at AS oldest_at, o.message_id AS oldest_id, \
                p.chat_id, p.message_id, p.sender_id, p.sender_name, p.created_at, p.rank, \
                {SNIPPET} AS snippet \
         FROM (SELECT 1) AS one \
         LEFT JOIN oldest o ON true \
         LEFT JOIN LATERAL ( \
             SELECT * FROM ( \
                 SELECT c.*, ts_rank(c.document, websearch_to_tsquery('russian', $1)) AS rank \
                 FROM candidates c \
             ) AS ranked \
             WHERE $7::real IS NULL \
                OR (rank, created_at, message_id) < ($7::real, $8::timestamptz, $9::uuid) \
             ORDER BY rank DESC, created_at DESC, message_id DESC LIMIT $6 \
         ) AS p ON true \
         ORDER BY p.rank DESC, p.created_at DESC, p.message_id DESC"
    )
}

/// The scope of a search as SQL on `s` (`$2` is its user or chat).
fn scope_sql(scope: SearchScope) -> &'static str {
    match scope {
        SearchScope::Member(_) => {
            "s.chat_id IN (SELECT p.chat_id FROM chat_participants p \
                           WHERE p.user_id = $2 AND p.is_active)"
        }
        SearchScope::Chat(_) => "s.chat_id = $2",
    }
}

/// The user or chat of a scope.
fn scope_id(scope: SearchScope) -> Uuid {
    match scope {
        SearchScope::Member(user) => user.as_uuid(),
        SearchScope::Chat(chat) => chat.as_uuid(),
    }
}

/// How many windows one page may walk: a rare word's matches fill few windows, and a
/// page that would need more ends early with a cursor (bounded work per request).
const WINDOWS_PER_PAGE: usize = 3;

/// What one window gave.
struct Window {
    hits: Vec<MessageHit>,
    /// All its candidates (fewer than the window's size: the last window).
    candidates: usize,
    oldest: Option<MessageTime>,
}

impl PgReadModels {
    /// Up to `limit` hits of the window older than `before`, after `after`.
    async fn window(
        &self,
        query: &MessageSearchQuery,
        before: Option<MessageTime>,
        after: Option<(f32, MessageTime)>,
        limit: usize,
    ) -> Result<Window> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(window_sql(scope_sql(query.scope))))
            .persistent(false)
            .bind(&query.text)
            .bind(scope_id(query.scope))
            .bind(before.map(|b| b.created_at))
            .bind(before.map(|b| b.message_id.as_uuid()))
            .bind(i64::try_from(self.search_window).unwrap_or(i64::MAX))
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .bind(after.map(|(rank, _)| rank))
            .bind(after.map(|(_, a)| a.created_at))
            .bind(after.map(|(_, a)| a.message_id.as_uuid()))
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        let first = rows.first();
        let candidates: i64 = first
            .map_or(Ok(0), |r| r.try_get("candidates"))
            .map_err(db)?;
        let oldest = match first {
            Some(row) => time_of(row, "oldest_at", "oldest_id")?,
            None => None,
        };
        let mut hits = Vec::with_capacity(rows.len());
        for row in &rows {
            if let Some(hit) = hit(row)? {
                hits.push(hit);
            }
        }
        Ok(Window {
            hits,
            candidates: usize::try_from(candidates).unwrap_or(0),
            oldest,
        })
    }
}

/// The message time in columns `at` and `id` of `row`, if set.
fn time_of(row: &PgRow, at: &str, id: &str) -> Result<Option<MessageTime>> {
    let created_at: Option<OffsetDateTime> = row.try_get(at).map_err(db)?;
    let message_id: Option<Uuid> = row.try_get(id).map_err(db)?;
    Ok(created_at
        .zip(message_id)
        .map(|(created_at, id)| MessageTime {
            created_at,
            message_id: MessageId::from_uuid(id),
        }))
}

/// The hit in `row`, if it holds one.
fn hit(row: &PgRow) -> Result<Option<MessageHit>> {
    let Some(time) = time_of(row, "created_at", "message_id")? else {
        return Ok(None);
    };
    Ok(Some(MessageHit {
        chat_id: ChatId::from_uuid(row.try_get("chat_id").map_err(db)?),
        message_id: time.message_id,
        sender_id: row
            .try_get::<Option<Uuid>, _>("sender_id")
            .map_err(db)?
            .map(UserId::from_uuid),
        sender_name: row.try_get("sender_name").map_err(db)?,
        created_at: time.created_at,
        snippet: row.try_get("snippet").map_err(db)?,
        rank: row.try_get("rank").map_err(db)?,
    }))
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
    async fn search_messages(&self, query: &MessageSearchQuery) -> Result<SearchPage> {
        let mut before = query.after.and_then(|c| c.window_before);
        let mut after = query.after.and_then(|c| c.after);
        let mut hits: Vec<MessageHit> = Vec::with_capacity(query.limit);
        for _ in 0..WINDOWS_PER_PAGE {
            let window = self
                .window(query, before, after, query.limit - hits.len())
                .await?;
            hits.extend(window.hits);
            if let Some(last) = hits.last().filter(|_| hits.len() == query.limit) {
                let position = MessageTime {
                    created_at: last.created_at,
                    message_id: last.message_id,
                };
                let next = SearchCursor {
                    window_before: before,
                    after: Some((last.rank, position)),
                };
                return Ok(SearchPage {
                    hits,
                    next: Some(next),
                });
            }
            if window.candidates < self.search_window {
                return Ok(SearchPage { hits, next: None });
            }
            (before, after) = (window.oldest, None);
        }
        let next = SearchCursor {
            window_before: before,
            after: None,
        };
        Ok(SearchPage {
            hits,
            next: Some(next),
        })
    }

    async fn search_chats(
        &self,
        user_id: UserId,
        text: &str,
        limit: usize,
    ) -> Result<Vec<ChatListEntry>> {
        let statement = list_page(&format!(
            "AND (to_tsvector('russian', COALESCE(a.name, '')) \
                  @@ websearch_to_tsquery('russian', $2) \
                 OR a.name ILIKE $3) \
             {PAGE_ORDER} LIMIT $4"
        ));
        let rows = statement
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
