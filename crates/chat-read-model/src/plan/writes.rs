//! The writes of a plan, as data: the PostgreSQL rows and the plan itself (the CQL
//! writes of messages are `messages`').

use chat_domain::{Attachment, ChatType, MessageId, MessageSource, Role, UserId};
use time::OffsetDateTime;

use crate::person::Person;
use crate::plan::MessageWrite;

/// A new chat's facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChat {
    /// Its type.
    pub chat_type: ChatType,
    /// Its name.
    pub name: Option<String>,
    /// The owning company.
    pub company_id: Option<uuid::Uuid>,
    /// The creator.
    pub created_by: UserId,
    /// When.
    pub created_at: OffsetDateTime,
}

/// A PostgreSQL write of one event (every variant is guarded by `version`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowWrite {
    /// `chats`: the creation facts.
    CreateChat(NewChat),
    /// `chats.name`.
    RenameChat {
        /// The new name.
        name: String,
    },
    /// `chats.is_archived`.
    SetArchived {
        /// Archived or restored.
        archived: bool,
    },
    /// `chats.is_deleted` (a tombstone), every participant inactive, and nothing of the
    /// chat's texts left (search, edit history).
    DeleteChat,
    /// `chats.participant_count` (the event's absolute count).
    SetParticipantCount {
        /// The count after the event.
        count: u32,
    },
    /// `chats.last_message*` (the event's message becomes the newest one unless a newer
    /// one is there) and the chat's bucket range.
    SetLastMessage(NewMessage),
    /// `chats.last_message`: an edit or delete of the message, if it is the newest one.
    ReviseLastMessage {
        /// The message.
        message_id: MessageId,
        /// What happened to it.
        revision: LastMessageRevision,
    },
    /// `chat_participants`: one user's membership after the event.
    SetParticipant {
        /// The user.
        user_id: UserId,
        /// Their role.
        role: Role,
        /// Whether they participate after the event.
        active: bool,
        /// When they joined and who added them (`ParticipantAdded` only).
        joined: Option<(OffsetDateTime, UserId)>,
    },
    /// `chat_telegram_links`.
    SetTelegramLink {
        /// The supergroup.
        telegram_chat_id: i64,
        /// The forum topic.
        telegram_topic_id: Option<i64>,
        /// Linked or unlinked.
        linked: bool,
        /// Who linked it and when (`TelegramChatLinked` only).
        linked_by: Option<(UserId, OffsetDateTime)>,
    },
    /// The user directory: the name someone acted or wrote under at `at` (the newest
    /// one wins).
    Named {
        /// Who.
        person: Person,
        /// Their display name.
        name: String,
        /// When the event carrying it happened.
        at: OffsetDateTime,
    },
    /// The texts of messages in PostgreSQL: the search index and the edit history.
    Text(TextWrite),
    /// Unread ledger: a user (re)joined: counting starts at zero.
    ReaderJoined {
        /// The user.
        user_id: UserId,
    },
    /// Unread ledger: a user left or was removed.
    ReaderLeft {
        /// The user.
        user_id: UserId,
    },
    /// Unread ledger: the chat is gone; nobody counts anything.
    ReadersClosed,
    /// Unread ledger: a message at `position` arrived: +1 for everyone who has it unread.
    MessageArrived {
        /// The message's version.
        position: u64,
        /// Its sender (not unread for them); `None` for Telegram.
        sender: Option<UserId>,
    },
    /// Unread ledger: the message at `position` was deleted: -1 for those who had it unread.
    MessageWithdrawn {
        /// The message's version.
        position: u64,
        /// Its sender.
        sender: Option<UserId>,
    },
    /// Unread ledger: a user's read position moved; their count is the event's.
    ReadUpTo {
        /// The reader.
        user_id: UserId,
        /// The last read message.
        message_id: MessageId,
        /// Its version.
        message_version: u64,
        /// The exact unread count after it.
        unread_count: u64,
        /// When.
        at: OffsetDateTime,
    },
}

/// What an edit or a delete does to a chat's newest message as the chat keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LastMessageRevision {
    /// New text.
    Edited {
        /// The text after the edit.
        content: String,
        /// When.
        edited_at: OffsetDateTime,
    },
    /// Deleted: text and file gone.
    Deleted,
}

/// A write to the messages' texts in PostgreSQL (`message_search`, `message_edits`),
/// which projector-async applies in each chat's event order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextWrite {
    /// A new message's text becomes searchable.
    Index(NewMessage),
    /// An edit: the search finds the new text, the history keeps both.
    Revise(TextRevision),
    /// A deleted message: its texts are no longer found nor kept.
    Forget {
        /// The message.
        message_id: MessageId,
    },
}

/// One edit of a message's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextRevision {
    /// The message.
    pub message_id: MessageId,
    /// The text after the edit.
    pub content: String,
    /// The text before it.
    pub previous_content: String,
    /// The user who edited it (`None` for a service).
    pub editor_id: Option<UserId>,
    /// Their display name, or the service's name.
    pub editor_name: Option<String>,
    /// When.
    pub edited_at: OffsetDateTime,
}

/// A message as first stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// The message.
    pub message_id: MessageId,
    /// Its partition bucket.
    pub bucket: i32,
    /// The sender (`None` for Telegram authors).
    pub sender_id: Option<UserId>,
    /// The sender's display name.
    pub sender_name: Option<String>,
    /// The text.
    pub content: String,
    /// `"text"`, `"image"`, `"file"` or `"voice"`.
    pub message_type: String,
    /// A media message's file (boxed: most messages are text).
    pub attachment: Option<Box<Attachment>>,
    /// The message replied to.
    pub reply_to: Option<MessageId>,
    /// Where it was written.
    pub source: MessageSource,
    /// Telegram's id of it, for Telegram messages.
    pub telegram_message_id: Option<i64>,
    /// Its Telegram author, for Telegram messages.
    pub telegram_user_id: Option<i64>,
    /// When it was sent.
    pub created_at: OffsetDateTime,
}

/// Everything one projector writes for one event.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    /// The PostgreSQL writes, applied in one transaction with the checkpoint.
    pub rows: Vec<RowWrite>,
    /// The CQL writes, applied before that transaction.
    pub messages: Vec<MessageWrite>,
    /// A hard delete at this time: every message and read status of the chat written
    /// before the event is purged from the CQL store, first of all (the extent comes from
    /// the rows: [`crate::ports::RowStore::purge_scope`]).
    pub purge_until: Option<OffsetDateTime>,
}

impl Plan {
    /// Whether the projector has nothing to do for the event.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty() && self.messages.is_empty() && self.purge_until.is_none()
    }
}
