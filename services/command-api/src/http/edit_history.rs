//! `GET /api/chats/{id}/messages/{mid}/history`: every version of a message's text,
//! newest first, each with its time and author (participants only).
//!
//! The edits come from the edit history projection (projector-async, eventually
//! consistent), the original from the message itself: the text before the oldest edit,
//! written by the sender when the message was sent. Every version is the message
//! author's, named as the user directory knows them now.

use actix_web::{HttpResponse, web};
use chat_domain::{ChatError, ChatId, MessageId, UserId};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::http::caller::Caller;
use crate::http::error::ApiError;
use crate::http::names::name_authors;
use crate::http::paths::MessagePath;
use crate::http::queries::{stored_message, visible_chat};
use crate::http::read::ReadSide;
use crate::http::refusals::{ReadRefusals, Refusals};

/// Every version of a message's text.
#[derive(Debug, Serialize, ToSchema)]
pub struct EditHistory {
    /// The chat.
    #[schema(value_type = Uuid)]
    chat_id: ChatId,
    /// The message.
    #[schema(value_type = Uuid)]
    message_id: MessageId,
    /// Newest first; the last is the text as sent.
    versions: Vec<TextVersion>,
}

/// One version of a message's text.
#[derive(Debug, Serialize, ToSchema)]
pub struct TextVersion {
    /// The text.
    content: String,
    /// When it was written (sent or edited).
    #[serde(with = "time::serde::rfc3339")]
    at: OffsetDateTime,
    /// Who wrote it (`None` for a Telegram author or a service).
    #[schema(value_type = Option<Uuid>)]
    author_id: Option<UserId>,
    /// Their display name.
    author_name: Option<String>,
    /// The chat version that wrote it.
    version: u64,
}

/// `GET /api/chats/{id}/messages/{mid}/history`. A deleted message has no history left
/// (404), like one that never existed.
#[utoipa::path(
    get,
    path = "/api/chats/{id}/messages/{mid}/history",
    operation_id = "messageHistory",
    params(MessagePath),
    responses(
        (status = 200, description = "Every version, newest first", body = EditHistory),
        Refusals,
        ReadRefusals
    )
)]
pub async fn history(
    read: web::Data<ReadSide>,
    caller: Caller,
    path: web::Path<(ChatId, MessageId)>,
) -> Result<HttpResponse, ApiError> {
    let (chat_id, message_id) = path.into_inner();
    visible_chat(&read, &caller, chat_id).await?;
    let (mut message, edits) =
        futures_util::try_join!(stored_message(&read, chat_id, message_id), async {
            Ok(read.edits.edits(chat_id, message_id).await?)
        },)?;
    let Some(current) = message.content.clone() else {
        return Err(ApiError::Rejected(ChatError::MessageNotFound));
    };
    // Only a message's author edits it (the bridge for a Telegram author), so every
    // version is theirs, named as the directory knows them now (else as when sent).
    name_authors(&read, std::iter::once(&mut message)).await?;
    let author_name = message.sender_name;
    let original = edits
        .last()
        .map_or(current, |oldest| oldest.previous_content.clone());
    let versions: Vec<TextVersion> = edits
        .into_iter()
        .map(|edit| TextVersion {
            content: edit.content,
            at: edit.edited_at,
            author_id: message.sender_id,
            author_name: author_name.clone(),
            version: edit.version,
        })
        .chain(std::iter::once(TextVersion {
            content: original,
            at: message.created_at,
            author_id: message.sender_id,
            author_name: author_name.clone(),
            version: message.version,
        }))
        .collect();
    Ok(HttpResponse::Ok().json(EditHistory {
        chat_id,
        message_id,
        versions,
    }))
}
