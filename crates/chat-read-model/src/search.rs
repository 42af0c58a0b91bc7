//! Message and chat search: what a search asks and what it finds.
//!
//! Messages are found by PostgreSQL full-text search (`migrations/0011_message_search.sql`)
//! a window at a time: the [`WINDOW`] newest matches (older than the previous window),
//! best match first within the window (then newest first). Ranking every match of a word
//! that is in one message of twenty would read most of the index on every search; a
//! window reads the newest matches only, so the cost of a search stays flat as the history
//! grows, and what is found first is both relevant and recent (as in Slack's and
//! Mattermost's default search). Paging walks the ranked window, then the next one, so
//! every match is reached exactly once.
//!
//! The store searches the chats the read models say a user is in (or one chat); the
//! caller still checks each hit's chat against the membership authority, which may be
//! ahead of the read models after a removal.

use chat_domain::{ChatId, MessageId, UserId};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::cursor::{self, CursorKind};

/// The largest page of search results a client may ask for.
pub const MAX_HITS: usize = 50;

/// How many of the newest matches one window ranks.
pub const WINDOW: usize = 1_000;

/// Which chats a search covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchScope {
    /// Every chat the read models say the user is in.
    Member(UserId),
    /// One chat (the caller checked it may read it).
    Chat(ChatId),
}

/// A message search.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageSearchQuery {
    /// The words, in web-search syntax (`"a phrase"`, `or`, `-without`).
    pub text: String,
    /// The chats to search.
    pub scope: SearchScope,
    /// Where the previous page ended.
    pub after: Option<SearchCursor>,
    /// At most this many hits.
    pub limit: usize,
}

/// One page of hits, and where the next one starts (`None`: there is none).
#[derive(Debug, Clone, PartialEq)]
pub struct SearchPage {
    /// The hits, best first within their window.
    pub hits: Vec<MessageHit>,
    /// The next page's start.
    pub next: Option<SearchCursor>,
}

/// One message found.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MessageHit {
    /// The chat.
    #[schema(value_type = Uuid)]
    pub chat_id: ChatId,
    /// The message.
    #[schema(value_type = Uuid)]
    pub message_id: MessageId,
    /// Its sender (`None` for Telegram authors).
    #[schema(value_type = Option<Uuid>)]
    pub sender_id: Option<UserId>,
    /// The sender's display name: as the user directory knows them now, or (a Telegram
    /// author, a sender the directory does not know) as the message was sent.
    pub sender_name: Option<String>,
    /// When it was sent.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// The matching part of its text, HTML-escaped, the matched words in `<mark>`.
    pub snippet: String,
    /// How well it matches (higher is better; comparable within one window only).
    pub rank: f32,
}

/// A message's place in time: the order of windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageTime {
    /// When it was sent (microseconds, as PostgreSQL keeps it).
    pub created_at: OffsetDateTime,
    /// The message (breaks ties).
    pub message_id: MessageId,
}

/// A place in a search's results.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SearchCursor {
    /// The window holds matches older than this (`None`: the newest window).
    pub window_before: Option<MessageTime>,
    /// The last hit returned from this window, with its rank (`None`: none yet).
    pub after: Option<(f32, MessageTime)>,
}

/// Bytes of an encoded [`MessageTime`].
const TIME_BYTES: usize = 24;
/// Bytes of an encoded cursor: a flag and an instant for the window, a flag, a rank and
/// an instant for the position.
const CURSOR_BYTES: usize = 2 + 4 + 2 * TIME_BYTES;

impl MessageTime {
    fn encode(self, out: &mut [u8]) {
        let micros = i64::try_from(self.created_at.unix_timestamp_nanos() / 1_000).unwrap_or(0);
        out[..8].copy_from_slice(&micros.to_be_bytes());
        out[8..TIME_BYTES].copy_from_slice(self.message_id.as_uuid().as_bytes());
    }

    fn decode(bytes: &[u8]) -> Option<Self> {
        let micros = i64::from_be_bytes(bytes[..8].try_into().ok()?);
        let created_at =
            OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000).ok()?;
        let message_id = MessageId::from_uuid(Uuid::from_slice(&bytes[8..TIME_BYTES]).ok()?);
        Some(Self {
            created_at,
            message_id,
        })
    }
}

impl SearchCursor {
    /// The cursor as the client sees it.
    #[must_use]
    pub fn encode(&self) -> String {
        let mut bytes = [0; CURSOR_BYTES];
        if let Some(window) = self.window_before {
            bytes[0] = 1;
            window.encode(&mut bytes[1..=TIME_BYTES]);
        }
        if let Some((rank, hit)) = self.after {
            let at = 1 + TIME_BYTES;
            bytes[at] = 1;
            bytes[at + 1..at + 5].copy_from_slice(&rank.to_bits().to_be_bytes());
            hit.encode(&mut bytes[at + 5..]);
        }
        cursor::encode(CursorKind::MessageSearch, &bytes)
    }

    /// The cursor `text` encodes; `None` when it is not one [`Self::encode`] made.
    #[must_use]
    pub fn decode(text: &str) -> Option<Self> {
        let bytes: [u8; CURSOR_BYTES] = cursor::decode(CursorKind::MessageSearch, text)?;
        let at = 1 + TIME_BYTES;
        let window_before = flagged(bytes[0], &bytes[1..at], MessageTime::decode)?;
        let after = flagged(bytes[at], &bytes[at + 1..], |b| {
            let rank = f32::from_bits(u32::from_be_bytes(b[..4].try_into().ok()?));
            // A rank is a finite number: anything else was not made here.
            rank.is_finite()
                .then(|| MessageTime::decode(&b[4..]).map(|hit| (rank, hit)))
                .flatten()
        })?;
        Some(Self {
            window_before,
            after,
        })
    }
}

/// What `bytes` hold after a presence `flag`: `Some(None)` when absent (all zero),
/// `None` when the bytes cannot be one [`SearchCursor::encode`] wrote.
fn flagged<T>(flag: u8, bytes: &[u8], read: impl Fn(&[u8]) -> Option<T>) -> Option<Option<T>> {
    match flag {
        0 => bytes.iter().all(|b| *b == 0).then_some(None),
        1 => read(bytes).map(Some),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_cursor_survives_its_round_trip_and_no_chat_list_cursor_passes_for_one() {
        let at = |n: i128| MessageTime {
            created_at: OffsetDateTime::from_unix_timestamp_nanos(n * 1_000).expect("time"),
            message_id: MessageId::from_uuid(Uuid::from_u128(n.unsigned_abs())),
        };
        let cursors = [
            SearchCursor {
                window_before: None,
                after: Some((0.607_927_1, at(1_767_225_600_123_456))),
            },
            SearchCursor {
                window_before: Some(at(1_767_225_600_000_001)),
                after: None,
            },
            SearchCursor {
                window_before: Some(at(1_767_225_600_000_001)),
                after: Some((0.1, at(1_767_225_500_000_000))),
            },
        ];
        for cursor in cursors {
            assert_eq!(SearchCursor::decode(&cursor.encode()), Some(cursor));
        }
        let list = crate::chat_list::ChatListCursor {
            active_at: at(1).created_at,
            chat_id: ChatId::from_uuid(Uuid::from_u128(7)),
        };
        assert_eq!(SearchCursor::decode(&list.encode()), None);
    }
}
