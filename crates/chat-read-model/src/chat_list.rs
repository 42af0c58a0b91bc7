//! A user's chat list, a page at a time: most recently active first (the newest message,
//! or the creation of a chat without messages), ties broken by chat id, continued from an
//! opaque cursor naming the last chat of the previous page.

use chat_domain::{ChatId, ChatType};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::cursor::{self, CursorKind};
use crate::model::ChatListEntry;

/// The largest page a client may ask for.
pub const MAX_PAGE: usize = 200;

/// Which chats of a user, and how many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatListQuery {
    /// Only archived chats (`Some(true)`), only the others (`Some(false)`), or both.
    pub archived: Option<bool>,
    /// Only chats of this type.
    pub chat_type: Option<ChatType>,
    /// Only chats of this company.
    pub company_id: Option<Uuid>,
    /// Only chats after this one in the list's order.
    pub after: Option<ChatListCursor>,
    /// At most this many.
    pub limit: usize,
}

/// A place in a chat list: a chat and the activity time it was listed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatListCursor {
    /// The chat's last activity (PostgreSQL keeps microseconds, so does the cursor).
    pub active_at: OffsetDateTime,
    /// The chat.
    pub chat_id: ChatId,
}

impl ChatListCursor {
    /// The place of `entry` in the list.
    #[must_use]
    pub fn of(entry: &ChatListEntry) -> Option<Self> {
        Some(Self {
            active_at: active_at(entry)?,
            chat_id: entry.chat.id,
        })
    }

    /// The cursor as the client sees it.
    #[must_use]
    pub fn encode(&self) -> String {
        let micros = i64::try_from(self.active_at.unix_timestamp_nanos() / 1_000).unwrap_or(0);
        let mut bytes = [0; 24];
        bytes[..8].copy_from_slice(&micros.to_be_bytes());
        bytes[8..].copy_from_slice(self.chat_id.as_uuid().as_bytes());
        cursor::encode(CursorKind::ChatList, &bytes)
    }

    /// The cursor `text` encodes; `None` when it is not one [`Self::encode`] made.
    #[must_use]
    pub fn decode(text: &str) -> Option<Self> {
        let bytes: [u8; 24] = cursor::decode(CursorKind::ChatList, text)?;
        let (micros, id) = bytes.split_at(8);
        let micros = i64::from_be_bytes(micros.try_into().ok()?);
        let active_at =
            OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000).ok()?;
        Some(Self {
            active_at,
            chat_id: ChatId::from_uuid(Uuid::from_slice(id).ok()?),
        })
    }

    /// Whether `entry` comes after this place in the list.
    #[must_use]
    pub fn precedes(&self, entry: &ChatListEntry) -> bool {
        active_at(entry).is_some_and(|at| {
            at < self.active_at || (at == self.active_at && entry.chat.id > self.chat_id)
        })
    }
}

/// When a listed chat was last active: its newest message, else its creation.
#[must_use]
pub fn active_at(entry: &ChatListEntry) -> Option<OffsetDateTime> {
    entry.chat.last_message_at.or(entry.chat.created_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_survives_its_round_trip() {
        let cursor = ChatListCursor {
            active_at: OffsetDateTime::from_unix_timestamp_nanos(1_767_225_600_123_456_000)
                .expect("time"),
            chat_id: ChatId::from_uuid(Uuid::from_u128(0x1234_5678_9abc_def0_1122_3344_5566_7788)),
        };
        assert_eq!(ChatListCursor::decode(&cursor.encode()), Some(cursor));
        assert_eq!(ChatListCursor::decode("not-a-cursor"), None);
    }
}
