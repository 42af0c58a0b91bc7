//! Message and chat search: what a search asks and what it finds.
//!
//! Messages are found by PostgreSQL full-text search (`migrations/0011_message_search.sql`),
//! best match first (then newest first), a page at a time from an opaque cursor naming the
//! last hit of the previous page. The caller's chats are named by the query: the store
//! never decides who may read what.

use chat_domain::{ChatId, MessageId, UserId};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::cursor::{self, CursorKind};

/// The largest page of search results a client may ask for.
pub const MAX_HITS: usize = 50;

/// A message search.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageSearchQuery {
    /// The words, in web-search syntax (`"a phrase"`, `or`, `-without`).
    pub text: String,
    /// The chats to search (those the caller may read).
    pub chats: Vec<ChatId>,
    /// Only hits after this one in the results' order.
    pub after: Option<SearchCursor>,
    /// At most this many.
    pub limit: usize,
}

/// One message found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MessageHit {
    /// The chat.
    pub chat_id: ChatId,
    /// The message.
    pub message_id: MessageId,
    /// Its sender (`None` for Telegram authors).
    pub sender_id: Option<UserId>,
    /// The sender's display name.
    pub sender_name: Option<String>,
    /// When it was sent.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// The matching part of its text, HTML-escaped, the matched words in `<mark>`.
    pub snippet: String,
    /// How well it matches (higher is better; comparable within one search only).
    pub rank: f32,
}

/// A place in a search's results: the last hit of a page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SearchCursor {
    /// Its rank.
    pub rank: f32,
    /// When it was sent (microseconds, as PostgreSQL keeps it).
    pub created_at: OffsetDateTime,
    /// The message.
    pub message_id: MessageId,
}

impl SearchCursor {
    /// The place of `hit`.
    #[must_use]
    pub const fn of(hit: &MessageHit) -> Self {
        Self {
            rank: hit.rank,
            created_at: hit.created_at,
            message_id: hit.message_id,
        }
    }

    /// The cursor as the client sees it.
    #[must_use]
    pub fn encode(&self) -> String {
        let micros = i64::try_from(self.created_at.unix_timestamp_nanos() / 1_000).unwrap_or(0);
        let mut bytes = [0; 28];
        bytes[..4].copy_from_slice(&self.rank.to_bits().to_be_bytes());
        bytes[4..12].copy_from_slice(&micros.to_be_bytes());
        bytes[12..].copy_from_slice(self.message_id.as_uuid().as_bytes());
        cursor::encode(CursorKind::MessageSearch, &bytes)
    }

    /// The cursor `text` encodes; `None` when it is not one [`Self::encode`] made.
    #[must_use]
    pub fn decode(text: &str) -> Option<Self> {
        let bytes: [u8; 28] = cursor::decode(CursorKind::MessageSearch, text)?;
        let rank = f32::from_bits(u32::from_be_bytes(bytes[..4].try_into().ok()?));
        let micros = i64::from_be_bytes(bytes[4..12].try_into().ok()?);
        let created_at =
            OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000).ok()?;
        // A rank is a finite number: anything else was not made here.
        rank.is_finite().then_some(Self {
            rank,
            created_at,
            message_id: MessageId::from_uuid(Uuid::from_slice(&bytes[12..]).ok()?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_cursor_survives_its_round_trip_and_no_chat_list_cursor_passes_for_one() {
        let cursor = SearchCursor {
            rank: 0.607_927_1,
            created_at: OffsetDateTime::from_unix_timestamp_nanos(1_767_225_600_123_456_000)
                .expect("time"),
            message_id: MessageId::from_uuid(Uuid::from_u128(42)),
        };
        assert_eq!(SearchCursor::decode(&cursor.encode()), Some(cursor));
        let list = crate::chat_list::ChatListCursor {
            active_at: cursor.created_at,
            chat_id: ChatId::from_uuid(Uuid::from_u128(7)),
        };
        assert_eq!(SearchCursor::decode(&list.encode()), None);
    }
}
