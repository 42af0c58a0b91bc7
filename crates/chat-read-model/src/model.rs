//! What the queries return: the read models as command-api serves them.

use chat_domain::{Attachment, ChatId, ChatType, MessageId, MessageSource, Role, UserId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::bucket::bucket_of_time;
use crate::person::Person;
use crate::plan::{LastMessageRevision, MessageWrite, NewMessage};

/// A chat's details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ChatRecord {
    /// The chat.
    #[schema(value_type = Uuid)]
    pub id: ChatId,
    /// Its type (`direct`, `group` or `company`).
    #[serde(rename = "type")]
    #[schema(value_type = String)]
    pub chat_type: ChatType,
    /// Its name.
    pub name: Option<String>,
    /// The owning company.
    pub company_id: Option<Uuid>,
    /// The creator.
    #[schema(value_type = Option<Uuid>)]
    pub created_by: Option<UserId>,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339::option")]
    pub created_at: Option<OffsetDateTime>,
    /// Whether it is archived.
    pub is_archived: bool,
    /// How many participants it has.
    pub participant_count: u32,
    /// The newest message's id.
    #[schema(value_type = Option<Uuid>)]
    pub last_message_id: Option<MessageId>,
    /// When the newest message was sent.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_message_at: Option<OffsetDateTime>,
    /// The newest message as it is now (edited or deleted), kept with the chat so a chat
    /// list needs no message read. `None` before the first message, and for a chat
    /// whose newest message was projected before the chat kept it (the API then reads it
    /// from the messages).
    pub last_message: Option<MessageRecord>,
    /// The Telegram supergroup it mirrors.
    pub telegram: Option<TelegramLinkRecord>,
    /// The newest event reflected in this record.
    pub version: u64,
    /// The bucket range of its messages (`None` before the first message).
    #[serde(skip)]
    pub buckets: Option<(i32, i32)>,
}

/// A chat's Telegram link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TelegramLinkRecord {
    /// The supergroup.
    pub telegram_chat_id: i64,
    /// The forum topic.
    pub telegram_topic_id: Option<i64>,
}

/// One entry of a user's chat list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ChatListEntry {
    /// The chat.
    #[serde(flatten)]
    pub chat: ChatRecord,
    /// The user's role in it (`admin`, `member` or `observer`).
    #[schema(value_type = String)]
    pub role: Role,
    /// The user's exact unread count.
    pub unread_count: u64,
    /// The last message the user read.
    #[schema(value_type = Option<Uuid>)]
    pub last_read_message_id: Option<MessageId>,
}

/// Where a participant stands in a chat's reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReadPosition {
    /// Their exact unread count.
    pub unread_count: u64,
    /// The last message they read.
    pub last_read_message_id: Option<MessageId>,
}

/// A current participant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ParticipantRecord {
    /// The user.
    #[schema(value_type = Uuid)]
    pub user_id: UserId,
    /// Their role (`admin`, `member` or `observer`).
    #[schema(value_type = String)]
    pub role: Role,
    /// When they (last) joined.
    #[serde(with = "time::serde::rfc3339::option")]
    pub joined_at: Option<OffsetDateTime>,
    /// Who added them.
    #[schema(value_type = Option<Uuid>)]
    pub added_by: Option<UserId>,
}

/// A stored message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MessageRecord {
    /// The message.
    #[schema(value_type = Uuid)]
    pub id: MessageId,
    /// The chat.
    #[schema(value_type = Uuid)]
    pub chat_id: ChatId,
    /// The sender (`None` for Telegram authors).
    #[schema(value_type = Option<Uuid>)]
    pub sender_id: Option<UserId>,
    /// The sender's display name.
    pub sender_name: Option<String>,
    /// The text; `None` once deleted.
    pub content: Option<String>,
    /// `"text"`, `"image"`, `"file"` or `"voice"`.
    pub message_type: String,
    /// A media message's file (its object key and facts; gone once deleted). The API
    /// adds a short-lived download URL before it shows one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub attachment: Option<Attachment>,
    /// The message replied to.
    #[schema(value_type = Option<Uuid>)]
    pub reply_to: Option<MessageId>,
    /// Where it was written (`chat`, `telegram` or `system`).
    #[schema(value_type = String)]
    pub source: MessageSource,
    /// Telegram's id of it.
    pub telegram_message_id: Option<i64>,
    /// Its Telegram author's user id (Telegram messages; `sender_name` is the author's
    /// newest name).
    #[serde(default)]
    pub telegram_user_id: Option<i64>,
    /// When it was sent.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Whether it was edited.
    pub is_edited: bool,
    /// When it was last edited.
    #[serde(with = "time::serde::rfc3339::option")]
    pub edited_at: Option<OffsetDateTime>,
    /// Whether it was deleted.
    pub is_deleted: bool,
    /// The chat version that sent it (its position).
    pub version: u64,
}

impl MessageRecord {
    /// `message` of `chat_id` as first stored, sent at chat version `version` (its
    /// times at the messages store's precision, so it reads the same as in history).
    #[must_use]
    pub fn first_stored(chat_id: ChatId, version: u64, message: &NewMessage) -> Self {
        Self {
            id: message.message_id,
            chat_id,
            sender_id: message.sender_id,
            sender_name: message.sender_name.clone(),
            content: Some(message.content.clone()),
            message_type: message.message_type.clone(),
            attachment: message.attachment.as_deref().cloned(),
            reply_to: message.reply_to,
            source: message.source,
            telegram_message_id: message.telegram_message_id,
            telegram_user_id: message.telegram_user_id,
            created_at: stored_time(message.created_at),
            is_edited: false,
            edited_at: None,
            is_deleted: false,
            version,
        }
    }

    /// The message as the messages store shows it after `writes` of it, each with the
    /// version that wrote it, in version order: nothing until its insert, then each
    /// cell as the newest write that sets it left it. This is what the CQL adapter's
    /// writes mean (a cell's write time is its event's version, the newest wins), stated
    /// once: the memory adapter reads its messages through it, so a new kind of message
    /// write is decided here, beside the field it shows in.
    pub fn from_writes<'a>(
        chat_id: ChatId,
        writes: impl IntoIterator<Item = (u64, &'a MessageWrite)>,
    ) -> Option<Self> {
        writes
            .into_iter()
            .fold(None, |record, (version, write)| match write {
                MessageWrite::Insert(message) => {
                    Some(Self::first_stored(chat_id, version, message))
                }
                MessageWrite::Edit {
                    content, edited_at, ..
                } => record.map(|r| {
                    r.revised(&LastMessageRevision::Edited {
                        content: content.clone(),
                        edited_at: *edited_at,
                    })
                }),
                MessageWrite::Delete { .. } => {
                    record.map(|r| r.revised(&LastMessageRevision::Deleted))
                }
                // A read position is no cell of a message.
                MessageWrite::ReadStatus { .. } => record,
            })
    }

    /// Who wrote it, as the user directory names people: its sender, or its Telegram
    /// author (`None`: a notice, or a Telegram message stored before its author was kept).
    #[must_use]
    pub fn author(&self) -> Option<Person> {
        self.sender_id
            .map(Person::User)
            .or(self.telegram_user_id.map(Person::Telegram))
    }

    /// This message after `revision`.
    #[must_use]
    pub fn revised(mut self, revision: &LastMessageRevision) -> Self {
        match revision {
            LastMessageRevision::Edited { content, edited_at } => {
                self.content = Some(content.clone());
                self.is_edited = true;
                self.edited_at = Some(stored_time(*edited_at));
            }
            // A delete drops the file with the text.
            LastMessageRevision::Deleted => {
                self.content = None;
                self.attachment = None;
                self.is_deleted = true;
            }
        }
        self
    }
}

/// `at` as the messages store keeps times: CQL `timestamp`s are milliseconds.
fn stored_time(at: OffsetDateTime) -> OffsetDateTime {
    at.replace_nanosecond(at.nanosecond() / 1_000_000 * 1_000_000)
        .unwrap_or(at)
}

/// One edit of a message, as the edit history keeps it. Its author is the message's:
/// only a message's author edits it (the bridge edits a Telegram author's message for
/// them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EditRecord {
    /// The chat version of the edit.
    pub version: u64,
    /// The text after the edit.
    pub content: String,
    /// The text before it.
    pub previous_content: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub edited_at: OffsetDateTime,
}

/// A reusable message template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TemplateRecord {
    /// The template.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// Its category.
    pub category: String,
    /// Its JSON body.
    #[schema(value_type = Value)]
    pub body: serde_json::Value,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// Which way a history page reads from its cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Towards older messages (newest first).
    Older,
    /// Towards newer messages (oldest first).
    Newer,
}

/// What a hard-deleted chat left in the CQL store: the message buckets it may have used
/// and the users who may have a read status there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurgeScope {
    /// The buckets, oldest to newest.
    pub buckets: std::ops::RangeInclusive<i32>,
    /// Everyone who ever participated or had a read position.
    pub readers: Vec<UserId>,
}

impl PurgeScope {
    /// The scope of a chat created at `created_at` whose messages known so far span the
    /// buckets `known`, hard-deleted at `until`: with a bucket more on each side, for
    /// message ids stamped by writers whose clocks differ a little.
    #[must_use]
    pub fn spanning(
        created_at: OffsetDateTime,
        known: Option<(i32, i32)>,
        until: OffsetDateTime,
        readers: Vec<UserId>,
    ) -> Self {
        let (mut first, mut last) = (bucket_of_time(created_at), bucket_of_time(until));
        if let Some((oldest, newest)) = known {
            first = first.min(oldest);
            last = last.max(newest);
        }
        Self {
            buckets: first.saturating_sub(1)..=last.saturating_add(1),
            readers,
        }
    }
}

/// One bucket query: messages strictly between the bounds, in `direction` order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BucketRange {
    /// The bucket.
    pub bucket: i32,
    /// Only messages newer than this one.
    pub after: Option<MessageId>,
    /// Only messages older than this one.
    pub before: Option<MessageId>,
    /// The order rows come back in.
    pub direction: Direction,
    /// At most this many.
    pub limit: usize,
}
