//! Telegram routes: link and unlink a supergroup (admins), and messages arriving from
//! Telegram (the bridge's service identity only).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chat_domain::chat::commands::{
    LinkTelegram, ReceiveTelegramMessage, ReportTelegramLinkChange, UnlinkTelegram,
};
use chat_domain::chat::telegram_ids;
use chat_domain::{ChatCommand, ChatError, ChatId, Media, MessageId, Role};
use time::OffsetDateTime;

use crate::app::CommandError;
use crate::http::caller::Caller;
use crate::http::dto::{
    CommandResponse, LinkTelegramBody, TelegramLinkChangeBody, TelegramMessageBody,
};
use crate::http::error::ApiError;
use crate::http::paths::ChatPath;
use crate::http::read::ReadSide;
use crate::http::refusals::{Refusals, WriteRefusals};
use crate::http::respond::{CommandAnswers, request, response, run};
use crate::http::state::ApiState;
use crate::media::MediaService;
use crate::telegram_access::TelegramAccessCheck;

/// `POST /api/chats/{id}/telegram/link`. When the caller may link (an admin of the
/// chat) and names a supergroup, the bridge is asked first whether its bot can serve it
/// ([`TelegramAccessCheck`]); anyone else gets the rule's answer, learning nothing of
/// the group.
#[utoipa::path(
    post,
    path = "/api/chats/{id}/telegram/link",
    operation_id = "linkTelegram",
    params(ChatPath),
    request_body = LinkTelegramBody,
    responses(
        CommandAnswers,
        Refusals,
        WriteRefusals
    )
)]
pub async fn link(
    state: web::Data<ApiState>,
    read: web::Data<ReadSide>,
    access: web::Data<TelegramAccessCheck>,
    caller: Caller,
    chat_id: web::Path<ChatId>,
    body: web::Json<LinkTelegramBody>,
) -> Result<HttpResponse, ApiError> {
    let may_link = match caller.actor.user_id() {
        Some(user) => {
            read.members
                .role_of(*chat_id, user)
                .await
                .map_err(CommandError::Store)?
                == Some(Role::Admin)
        }
        None => false,
    };
    if may_link && telegram_ids::is_supergroup_dialog_id(body.telegram_chat_id) {
        access.check(body.telegram_chat_id).await?;
    }
    let command = LinkTelegram {
        actor: caller.actor.clone(),
        at: state.now(),
        telegram_chat_id: body.telegram_chat_id,
        telegram_topic_id: body.telegram_topic_id,
    };
    run(&state, &read, *chat_id, &caller, command.into()).await
}

/// `DELETE /api/chats/{id}/telegram/link`.
#[utoipa::path(
    delete,
    path = "/api/chats/{id}/telegram/link",
    operation_id = "unlinkTelegram",
    params(ChatPath),
    responses(CommandAnswers, Refusals, WriteRefusals)
)]
pub async fn unlink(
    state: web::Data<ApiState>,
    read: web::Data<ReadSide>,
    caller: Caller,
    chat_id: web::Path<ChatId>,
) -> Result<HttpResponse, ApiError> {
    let command = UnlinkTelegram {
        actor: caller.actor.clone(),
        at: state.now(),
    };
    run(&state, &read, *chat_id, &caller, command.into()).await
}

/// `POST /api/chats/{id}/telegram/messages`: a message posted in the linked supergroup;
/// its file, if any, is stored by the bridge already (checked here: there, whole).
#[utoipa::path(
    post,
    path = "/api/chats/{id}/telegram/messages",
    operation_id = "receiveTelegramMessage",
    params(ChatPath),
    request_body = TelegramMessageBody,
    responses(
        (status = 201, description = "Received, and in the history", body = CommandResponse),
        CommandAnswers,
        Refusals,
        WriteRefusals
    )
)]
pub async fn receive(
    state: web::Data<ApiState>,
    read: web::Data<ReadSide>,
    media: web::Data<MediaService>,
    caller: Caller,
    chat_id: web::Path<ChatId>,
    body: web::Json<TelegramMessageBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let media = match body.attachment {
        Some(file) => {
            require_service(&caller)?;
            media.require_stored(&file.attachment).await?;
            Some(Media {
                kind: file.kind,
                attachment: file.attachment,
            })
        }
        None => None,
    };
    let made = |message_id, at| {
        ReceiveTelegramMessage {
            actor: caller.actor.clone(),
            at,
            message_id,
            telegram_chat_id: body.telegram_chat_id,
            telegram_topic_id: body.telegram_topic_id,
            telegram_message_id: body.telegram_message_id,
            telegram_user_id: body.telegram_user_id,
            sender_name: body.sender_name,
            content: body.content,
            reply_to: body.reply_to,
            media,
        }
        .into()
    };
    let created = StatusCode::CREATED;
    bridge_message(&state, &read, &caller, *chat_id, created, made).await
}

/// `POST /api/chats/{id}/telegram/link/changes`: what the bridge found of the link (the
/// bot lost or regained the group, or Telegram moved it); the chat shows a notice, whose
/// id the answer carries as `message_id`.
#[utoipa::path(
    post,
    path = "/api/chats/{id}/telegram/link/changes",
    operation_id = "reportTelegramLinkChange",
    params(ChatPath),
    request_body = TelegramLinkChangeBody,
    responses(
        CommandAnswers,
        Refusals,
        WriteRefusals
    )
)]
pub async fn link_changed(
    state: web::Data<ApiState>,
    read: web::Data<ReadSide>,
    caller: Caller,
    chat_id: web::Path<ChatId>,
    body: web::Json<TelegramLinkChangeBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let made = |notice_id, at| {
        ReportTelegramLinkChange {
            actor: caller.actor.clone(),
            at,
            notice_id,
            telegram_chat_id: body.telegram_chat_id,
            change: body.change,
        }
        .into()
    };
    bridge_message(&state, &read, &caller, *chat_id, StatusCode::OK, made).await
}

/// Refuses users before the chat (or a file) is looked at, so the answer says nothing
/// about the chat.
fn require_service(caller: &Caller) -> Result<(), ApiError> {
    match caller.actor.user_id() {
        Some(_) => Err(ApiError::Rejected(ChatError::ServiceActorRequired)),
        None => Ok(()),
    }
}

/// Runs a command of the bridge (a service identity only) that puts a new message in the
/// chat: `command` is made with the message's id and time, and the answer (with
/// `status`) carries them.
async fn bridge_message(
    state: &ApiState,
    read: &web::Data<ReadSide>,
    caller: &Caller,
    chat_id: ChatId,
    status: StatusCode,
    command: impl FnOnce(MessageId, OffsetDateTime) -> ChatCommand,
) -> Result<HttpResponse, ApiError> {
    require_service(caller)?;
    let message_id = state.new_message_id();
    let at = state.now();
    let accepted = state
        .commands
        .execute(request(chat_id, caller, command(message_id, at)))
        .await?;
    let mut answer = response(chat_id, &accepted);
    answer.message_id = Some(message_id);
    answer.created_at = Some(at);
    let answered = HttpResponse::build(status).json(answer);
    Ok(read.settle(chat_id, &accepted.envelopes, answered).await)
}
