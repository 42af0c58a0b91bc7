//! Message routes: send (idempotent), edit, delete, mark read.

use actix_web::{HttpRequest, HttpResponse, web};
use chat_domain::chat::commands::{DeleteMessage, EditMessage, MarkMessagesRead, SendMessage};
use chat_domain::text::{self, TextKind};
use chat_domain::{ChatError, ChatId, Media, MessageId};

use crate::app::{CommandError, SendOutcome};
use crate::http::caller::Caller;
use crate::http::dto::{
    AttachmentBody, CommandResponse, EditMessageBody, MarkReadBody, SendMessageBody,
};
use crate::http::error::ApiError;
use crate::http::paths::{ChatPath, MessagePath};
use crate::http::read::ReadSide;
use crate::http::refusals::{Refusals, WriteRefusals};
use crate::http::respond::{CommandAnswers, request, response, run};
use crate::http::state::ApiState;
use crate::media::MediaService;
use crate::ports::{EventStore, IdempotencyClaim};

/// Longest idempotency key accepted.
const MAX_IDEMPOTENCY_KEY: usize = 255;

/// `POST /api/chats/{id}/messages`: 201 with the new message once it is in the history
/// (202 if the bounded read-your-writes wait ran out); a retry with the same
/// `Idempotency-Key` (or `client_message_id`) answers 200 with the original message.
/// A media message names its upload (`attachment`), checked before anything is stored.
#[utoipa::path(
    post,
    path = "/api/chats/{id}/messages",
    operation_id = "sendMessage",
    params(ChatPath, ("Idempotency-Key" = Option<String>, Header, description = "The client's id for this message: a retry with the same key answers 200 with the original")),
    request_body = SendMessageBody,
    responses(
        (status = 201, description = "Sent, and in the history", body = CommandResponse),
        CommandAnswers,
        Refusals,
        WriteRefusals
    )
)]
pub async fn send(
    state: web::Data<ApiState>,
    read: web::Data<ReadSide>,
    media: web::Data<MediaService>,
    caller: Caller,
    chat_id: web::Path<ChatId>,
    req: HttpRequest,
    body: web::Json<SendMessageBody>,
) -> Result<HttpResponse, ApiError> {
    let chat_id = *chat_id;
    let body = body.into_inner();
    let key = idempotency_key(&req, body.client_message_id)?;
    let media = match body.attachment {
        Some(named) => {
            attachment(
                &state,
                &read,
                &media,
                &caller,
                chat_id,
                key.as_deref(),
                named,
            )
            .await?
        }
        None => None,
    };
    let message_id = state.new_message_id();
    let claim = key
        .map(|key| {
            Ok::<_, ApiError>(IdempotencyClaim {
                user_id: caller.user_id()?,
                key,
                chat_id,
                message_id,
            })
        })
        .transpose()?;
    let at = state.now();
    let command = SendMessage {
        actor: caller.actor.clone(),
        at,
        message_id,
        content: body.content,
        reply_to: body.reply_to,
        media,
    };
    let outcome = state
        .commands
        .send(request(chat_id, &caller, command.into()), claim)
        .await?;
    Ok(match outcome {
        SendOutcome::Sent(accepted) => {
            let mut body = response(chat_id, &accepted);
            body.message_id = Some(message_id);
            body.created_at = Some(at);
            let created = HttpResponse::Created()
                .insert_header((
                    "Location",
                    format!("/api/chats/{chat_id}/messages/{message_id}"),
                ))
                .json(body);
            read.settle(chat_id, &accepted.envelopes, created).await
        }
        SendOutcome::Replayed {
            chat_id,
            message_id,
        } => {
            let version = state.commands.version(chat_id).await?;
            // The original answer may have been a 202: wait for the message here too.
            let position = state
                .commands
                .message(chat_id, message_id)
                .await?
                .map(|m| m.position);
            let mut body = CommandResponse::new(chat_id, version, &[]);
            body.message_id = Some(message_id);
            body.replayed = true;
            let ok = HttpResponse::Ok().json(body);
            read.settle_at(chat_id, position, ok).await
        }
    })
}

/// The file a send carries: the upload it names, checked for the caller (a participant:
/// anyone else learns nothing of the chat, as from any send). `None` for the retry of a
/// send that took it already: the retry answers with the original message.
async fn attachment(
    state: &ApiState,
    read: &ReadSide,
    media: &MediaService,
    caller: &Caller,
    chat_id: ChatId,
    key: Option<&str>,
    named: AttachmentBody,
) -> Result<Option<Media>, ApiError> {
    let user = caller.user_id()?;
    if let Some(key) = key {
        let claimed = state.commands.store().claimed_message(user, key).await;
        if claimed.map_err(CommandError::Store)?.is_some() {
            return Ok(None);
        }
    }
    read.members
        .role_of(chat_id, user)
        .await
        .map_err(CommandError::Store)?
        .ok_or(ApiError::Rejected(ChatError::ChatNotFound))?;
    let taken = media.take(chat_id, user, named.into(), state.now()).await?;
    Ok(Some(taken))
}

/// The client's idempotency key: the `Idempotency-Key` header, else `client_message_id`.
fn idempotency_key(
    req: &HttpRequest,
    client_message_id: Option<String>,
) -> Result<Option<String>, ApiError> {
    let header = req
        .headers()
        .get("idempotency-key")
        .map(|h| {
            h.to_str().map(str::to_owned).map_err(|_| {
                ApiError::bad_request("invalid_header", "Idempotency-Key must be ASCII")
            })
        })
        .transpose()?;
    let key = header.or(client_message_id).map(|k| k.trim().to_owned());
    match key {
        Some(k) if k.is_empty() => {
            Err(ApiError::InvalidBody("the idempotency key is empty".into()))
        }
        Some(k) if k.len() > MAX_IDEMPOTENCY_KEY => Err(ApiError::InvalidBody(format!(
            "the idempotency key is longer than {MAX_IDEMPOTENCY_KEY} characters"
        ))),
        Some(k) => {
            text::check("client_message_id", TextKind::SingleLine, &k).map_err(ChatError::from)?;
            Ok(Some(k))
        }
        None => Ok(None),
    }
}

/// `PATCH /api/chats/{id}/messages/{mid}`: edit (sender only).
#[utoipa::path(
    patch,
    path = "/api/chats/{id}/messages/{mid}",
    operation_id = "editMessage",
    params(MessagePath),
    request_body = EditMessageBody,
    responses(
        CommandAnswers,
        Refusals,
        WriteRefusals
    )
)]
pub async fn edit(
    state: web::Data<ApiState>,
    read: web::Data<ReadSide>,
    caller: Caller,
    path: web::Path<(ChatId, MessageId)>,
    body: web::Json<EditMessageBody>,
) -> Result<HttpResponse, ApiError> {
    let (chat_id, message_id) = path.into_inner();
    let command = EditMessage {
        actor: caller.actor.clone(),
        at: state.now(),
        message_id,
        content: body.into_inner().content,
    };
    run(&state, &read, chat_id, &caller, command.into()).await
}

/// `DELETE /api/chats/{id}/messages/{mid}`: delete (sender or admin); a media message's
/// object goes at once ([`MediaService::release`]).
#[utoipa::path(
    delete,
    path = "/api/chats/{id}/messages/{mid}",
    operation_id = "deleteMessage",
    params(MessagePath),
    responses(CommandAnswers, Refusals, WriteRefusals)
)]
pub async fn delete(
    state: web::Data<ApiState>,
    read: web::Data<ReadSide>,
    media: web::Data<MediaService>,
    caller: Caller,
    path: web::Path<(ChatId, MessageId)>,
) -> Result<HttpResponse, ApiError> {
    let (chat_id, message_id) = path.into_inner();
    let command = DeleteMessage {
        actor: caller.actor.clone(),
        at: state.now(),
        message_id,
    };
    let answer = run(&state, &read, chat_id, &caller, command.into()).await?;
    media.release();
    Ok(answer)
}

/// `POST /api/chats/{id}/read`: mark read up to a message.
#[utoipa::path(
    post,
    path = "/api/chats/{id}/read",
    operation_id = "markRead",
    params(ChatPath),
    request_body = MarkReadBody,
    responses(
        CommandAnswers,
        Refusals,
        WriteRefusals
    )
)]
pub async fn mark_read(
    state: web::Data<ApiState>,
    read: web::Data<ReadSide>,
    caller: Caller,
    chat_id: web::Path<ChatId>,
    body: web::Json<MarkReadBody>,
) -> Result<HttpResponse, ApiError> {
    let command = MarkMessagesRead {
        actor: caller.actor.clone(),
        at: state.now(),
        up_to: body.message_id,
    };
    run(&state, &read, *chat_id, &caller, command.into()).await
}
