//! `POST /api/chats/{id}/attachments`: a participant who may write asks to upload a
//! file and gets a short-lived pre-signed PUT URL to the object store. The bytes go
//! straight to the store, never through command-api, so the API is never the bottleneck
//! of a byte stream; the send that names the upload is checked against it
//! ([`crate::media::MediaService::take`]).

use actix_web::{HttpResponse, web};
use chat_domain::{ChatError, ChatId, MediaKind};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::CommandError;
use crate::http::caller::Caller;
use crate::http::dto::UploadBody;
use crate::http::error::ApiError;
use crate::http::paths::ChatPath;
use crate::http::read::ReadSide;
use crate::http::refusals::{Refusals, WriteRefusals};
use crate::http::schemas::MediaKindSchema;
use crate::http::state::ApiState;
use crate::media::{MediaService, UploadRequest};

/// A granted upload: where and how to PUT the bytes, and until when.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadTicket {
    /// The upload, for the send that carries the file.
    upload_id: Uuid,
    /// The pre-signed URL to PUT the bytes to.
    upload_url: String,
    /// Always `PUT`.
    method: &'static str,
    /// The headers the PUT must send.
    headers: UploadHeaders,
    /// When `upload_url` stops working (RFC 3339).
    expires_at: String,
    /// The kind of the message the file makes.
    #[schema(value_type = MediaKindSchema)]
    kind: MediaKind,
    /// The largest file of that kind, in bytes.
    max_size: u64,
}

/// The headers an upload's PUT must send.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadHeaders {
    /// The MIME type named in the request.
    #[serde(rename = "Content-Type")]
    content_type: String,
}

/// `POST /api/chats/{id}/attachments`: 201 with `upload_id`, `upload_url` (PUT the
/// bytes there with the `Content-Type` named, before `expires_at`), `max_size`.
#[utoipa::path(
    post,
    path = "/api/chats/{id}/attachments",
    operation_id = "requestUpload",
    params(ChatPath),
    request_body = UploadBody,
    responses(
        (status = 201, description = "Granted: PUT the bytes to `upload_url`", body = UploadTicket),
        Refusals,
        WriteRefusals
    )
)]
pub async fn request_upload(
    state: web::Data<ApiState>,
    read: web::Data<ReadSide>,
    media: web::Data<MediaService>,
    caller: Caller,
    chat_id: web::Path<ChatId>,
    body: web::Json<UploadBody>,
) -> Result<HttpResponse, ApiError> {
    let chat_id = *chat_id;
    let user = caller.user_id()?;
    // The authority on membership, as every access check; the same answers as a send:
    // 404 to whoever is not in the chat, 403 to an observer.
    let role = read
        .members
        .role_of(chat_id, user)
        .await
        .map_err(CommandError::Store)?
        .ok_or(ApiError::Rejected(ChatError::ChatNotFound))?;
    if !role.can_write() {
        return Err(ChatError::ObserverCannotWrite.into());
    }
    let body = body.into_inner();
    let request = UploadRequest {
        name: body.name,
        size: body.size,
        mime_type: body.mime_type,
        kind: body.kind,
    };
    let ticket = media.grant(chat_id, user, request, state.now()).await?;
    let upload = &ticket.upload;
    let expires_at = upload
        .expires_at
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(HttpResponse::Created().json(UploadTicket {
        upload_id: upload.upload_id,
        upload_url: ticket.upload_url,
        method: "PUT",
        headers: UploadHeaders {
            content_type: upload.mime_type.clone(),
        },
        expires_at,
        kind: upload.kind,
        max_size: upload.kind.max_size(),
    }))
}
