//! Request bodies and responses of the writing routes (JSON).

use chat_domain::chat::events::TelegramLinkChange;
use chat_domain::{Attachment, ChatId, ChatType, Envelope, MediaKind, MessageId, Role};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::http::schemas::{
    AttachmentSchema, ChatTypeSchema, MediaKindSchema, RoleSchema, TelegramLinkChangeSchema,
};

/// `POST /api/chats`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateChatBody {
    /// `direct`, `group` or `company`.
    #[serde(rename = "type")]
    #[schema(value_type = ChatTypeSchema)]
    pub chat_type: ChatType,
    /// Display name (group and company chats).
    #[serde(default)]
    pub name: Option<String>,
    /// The company (company chats).
    #[serde(default)]
    pub company_id: Option<Uuid>,
    /// Initial participants besides the creator (for a direct chat: the other user).
    #[serde(default)]
    pub participants: Vec<Uuid>,
}

/// `PATCH /api/chats/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateChatBody {
    /// The new name.
    pub name: Option<String>,
}

/// `DELETE /api/chats/{id}` query.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteChatQuery {
    /// Hard delete instead of archive.
    #[serde(default)]
    pub hard: bool,
}

/// `POST /api/chats/{id}/messages`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendMessageBody {
    /// The text, 1..=10,000 characters.
    pub content: String,
    /// The message this one answers.
    #[serde(default)]
    #[schema(value_type = Option<Uuid>)]
    pub reply_to: Option<MessageId>,
    /// The client's id for this message: a retry with the same id returns the original
    /// (the same as an `Idempotency-Key` header).
    #[serde(default)]
    pub client_message_id: Option<String>,
    /// The file of a media message: an upload of the sender's to this chat, stored
    /// whole. `content` is then its caption and may be empty.
    #[serde(default)]
    pub attachment: Option<AttachmentBody>,
}

/// The file a send carries: the upload, and facts only the client knows.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachmentBody {
    /// The upload (`POST /api/chats/{id}/attachments`).
    pub upload_id: Uuid,
    /// An image's width in pixels.
    #[serde(default)]
    pub width: Option<u32>,
    /// An image's height in pixels.
    #[serde(default)]
    pub height: Option<u32>,
    /// A voice note's length in seconds.
    #[serde(default)]
    pub duration_secs: Option<u32>,
}

impl From<AttachmentBody> for crate::media::UploadRef {
    fn from(b: AttachmentBody) -> Self {
        Self {
            upload_id: b.upload_id,
            width: b.width,
            height: b.height,
            duration_secs: b.duration_secs,
        }
    }
}

/// `POST /api/chats/{id}/attachments`: the file a participant is about to upload.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UploadBody {
    /// The file name.
    pub name: String,
    /// Its size in bytes (the stored object must have exactly this size).
    pub size: u64,
    /// Its MIME type.
    pub mime_type: String,
    /// `image`, `file` or `voice`; by default the MIME type's kind.
    #[serde(default)]
    #[schema(value_type = Option<MediaKindSchema>)]
    pub kind: Option<MediaKind>,
}

/// The file of a Telegram message, stored by the bridge under the chat's prefix.
/// (Unknown fields are ignored here: serde cannot refuse them beside a flattened field.)
#[derive(Debug, Deserialize, ToSchema)]
pub struct TelegramMediaBody {
    /// `image`, `file` or `voice`.
    #[schema(value_type = MediaKindSchema)]
    pub kind: MediaKind,
    /// The object (`chats/{chat_id}/{uuid}`), its name, size and MIME type, and image
    /// size or voice length where known.
    #[serde(flatten)]
    #[schema(value_type = AttachmentSchema)]
    pub attachment: Attachment,
}

/// `PATCH /api/chats/{id}/messages/{mid}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditMessageBody {
    /// The new text.
    pub content: String,
}

/// `POST /api/chats/{id}/read`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkReadBody {
    /// The last message read.
    #[schema(value_type = Uuid)]
    pub message_id: MessageId,
}

/// `POST /api/chats/{id}/participants`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddParticipantBody {
    /// The user to add.
    pub user_id: Uuid,
    /// Their role (default `member`).
    #[serde(default)]
    #[schema(value_type = Option<RoleSchema>)]
    pub role: Option<Role>,
}

/// `PATCH /api/chats/{id}/participants/{uid}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeRoleBody {
    /// The new role.
    #[schema(value_type = RoleSchema)]
    pub role: Role,
}

/// `POST /api/chats/{id}/telegram/link`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkTelegramBody {
    /// The Telegram supergroup id.
    pub telegram_chat_id: i64,
    /// The forum topic, when the supergroup is a forum.
    #[serde(default)]
    pub telegram_topic_id: Option<i64>,
}

/// `POST /api/chats/{id}/telegram/messages` (the bridge's service identity only).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TelegramMessageBody {
    /// The supergroup it was posted in.
    pub telegram_chat_id: i64,
    /// The forum topic, if any.
    #[serde(default)]
    pub telegram_topic_id: Option<i64>,
    /// Telegram's id of the message.
    pub telegram_message_id: i64,
    /// Telegram's id of the sender.
    pub telegram_user_id: i64,
    /// The sender's display name on Telegram.
    pub sender_name: String,
    /// The text.
    pub content: String,
    /// The chat message it replies to, when the bridge knows it.
    #[serde(default)]
    #[schema(value_type = Option<Uuid>)]
    pub reply_to: Option<MessageId>,
    /// A photo, document, voice note, video or audio, already stored by the bridge;
    /// `content` is then its caption and may be empty.
    #[serde(default)]
    pub attachment: Option<TelegramMediaBody>,
}

/// `POST /api/chats/{id}/telegram/link/changes` (the bridge's service identity only):
/// what the bridge found of the link.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TelegramLinkChangeBody {
    /// The group the link names now.
    pub telegram_chat_id: i64,
    /// What happened (`{"kind":"broken","reason":...}`, `{"kind":"restored"}`,
    /// `{"kind":"moved","to_telegram_chat_id":...}`).
    #[schema(value_type = TelegramLinkChangeSchema)]
    pub change: TelegramLinkChange,
}

/// One stored event, as the writing routes report it.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventRef {
    /// The event id.
    pub event_id: Uuid,
    /// The event type (`message_sent`, ...).
    #[serde(rename = "type")]
    pub event_type: String,
    /// The chat version it has.
    pub version: u64,
}

/// The answer of every writing route.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommandResponse {
    /// The chat.
    #[schema(value_type = Uuid)]
    pub chat_id: ChatId,
    /// The chat's version after the command.
    pub version: u64,
    /// The events the command stored (empty when it changed nothing).
    pub events: Vec<EventRef>,
    /// The message the command created, for sends.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Uuid>)]
    pub message_id: Option<MessageId>,
    /// When the message was created, for sends.
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub created_at: Option<OffsetDateTime>,
    /// True when an idempotent retry returned the original message.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub replayed: bool,
}

impl CommandResponse {
    /// The response for stored `envelopes` that brought the chat to `version`.
    pub fn new(chat_id: ChatId, version: u64, envelopes: &[Envelope]) -> Self {
        Self {
            chat_id,
            version,
            events: envelopes
                .iter()
                .map(|e| EventRef {
                    event_id: e.event_id.as_uuid(),
                    event_type: e.event_type.clone(),
                    version: e.version,
                })
                .collect(),
            message_id: None,
            created_at: None,
            replayed: false,
        }
    }
}
