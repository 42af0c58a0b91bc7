//! The OpenAPI schemas of the domain's wire types that the API's bodies and answers
//! carry. The domain crate stays free of documentation concerns (it depends on serde
//! and little else), so each type here stands in for one of its serde types, with the
//! same name and the same JSON form; a field of a DTO points here with
//! `#[schema(value_type = ...)]`. The API tests validate every answer against the
//! document, so a stand-in that drifts from its type fails them.

use utoipa::ToSchema;

/// The kind of a chat.
#[derive(Debug, ToSchema)]
#[schema(as = ChatType, rename_all = "snake_case")]
pub enum ChatTypeSchema {
    /// Exactly two participants, one chat per pair.
    Direct,
    /// Any number of participants.
    Group,
    /// A company's chat; carries the company id.
    Company,
}

/// A participant's role in a chat.
#[derive(Debug, ToSchema)]
#[schema(as = Role, rename_all = "snake_case")]
pub enum RoleSchema {
    /// Manages the chat.
    Admin,
    /// Reads and writes messages.
    Member,
    /// Reads only.
    Observer,
}

/// The kind of a media message, which sets its size limit and MIME allow-list.
#[derive(Debug, ToSchema)]
#[schema(as = MediaKind, rename_all = "snake_case")]
pub enum MediaKindSchema {
    /// A picture shown inline.
    Image,
    /// Any allowed file, offered for download.
    File,
    /// A voice note played inline.
    Voice,
}

/// The file of a media message: its object and the facts a client shows.
#[derive(Debug, ToSchema)]
#[schema(as = Attachment)]
pub struct AttachmentSchema {
    /// The object key in the store (`chats/{chat_id}/{upload_id}`).
    pub key: String,
    /// The file name shown and offered when saving.
    pub name: String,
    /// The size in bytes.
    pub size: u64,
    /// The MIME type's essence (`image/png`).
    pub mime_type: String,
    /// An image's width in pixels, when known.
    pub width: Option<u32>,
    /// An image's height in pixels, when known.
    pub height: Option<u32>,
    /// A voice note's length in seconds, when known.
    pub duration_secs: Option<u32>,
}

/// What happened to a Telegram link.
#[derive(Debug, ToSchema)]
#[schema(as = TelegramLinkChange)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TelegramLinkChangeSchema {
    /// The bot lost the group: nothing is mirrored until it is let back in.
    Broken {
        /// Telegram's answer (`CHANNEL_PRIVATE`, `USER_NOT_PARTICIPANT`, ...).
        reason: String,
    },
    /// The bot reaches the group again.
    Restored,
    /// Telegram upgraded the basic group to a supergroup: the link now names it.
    Moved {
        /// The supergroup (Bot API id, `-100…`).
        to_telegram_chat_id: i64,
    },
}
