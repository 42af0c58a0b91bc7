//! Participant routes: add, remove (or leave, when it is the caller), change role.

use actix_web::{HttpResponse, web};
use chat_domain::chat::commands::{
    AddParticipant, ChangeParticipantRole, LeaveChat, RemoveParticipant,
};
use chat_domain::{ChatCommand, ChatId, Role, UserId};

use crate::http::caller::Caller;
use crate::http::dto::{AddParticipantBody, ChangeRoleBody};
use crate::http::error::ApiError;
use crate::http::paths::{ChatPath, ParticipantPath};
use crate::http::read::ReadSide;
use crate::http::refusals::{Refusals, WriteRefusals};
use crate::http::respond::{CommandAnswers, run};
use crate::http::state::ApiState;

/// `POST /api/chats/{id}/participants`.
#[utoipa::path(
    post,
    path = "/api/chats/{id}/participants",
    operation_id = "addParticipant",
    params(ChatPath),
    request_body = AddParticipantBody,
    responses(
        CommandAnswers,
        Refusals,
        WriteRefusals
    )
)]
pub async fn add(
    state: web::Data<ApiState>,
    read: web::Data<ReadSide>,
    caller: Caller,
    chat_id: web::Path<ChatId>,
    body: web::Json<AddParticipantBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let command = AddParticipant {
        actor: caller.actor.clone(),
        at: state.now(),
        user_id: UserId::from_uuid(body.user_id),
        role: body.role.unwrap_or(Role::Member),
    };
    run(&state, &read, *chat_id, &caller, command.into()).await
}

/// `DELETE /api/chats/{id}/participants/{uid}`: removes someone (admins), or leaves when
/// `uid` is the caller.
#[utoipa::path(
    delete,
    path = "/api/chats/{id}/participants/{uid}",
    operation_id = "removeParticipant",
    params(ParticipantPath),
    responses(CommandAnswers, Refusals, WriteRefusals)
)]
pub async fn remove(
    state: web::Data<ApiState>,
    read: web::Data<ReadSide>,
    caller: Caller,
    path: web::Path<(ChatId, UserId)>,
) -> Result<HttpResponse, ApiError> {
    let (chat_id, user_id) = path.into_inner();
    let (actor, at) = (caller.actor.clone(), state.now());
    let command: ChatCommand = if caller.actor.user_id() == Some(user_id) {
        LeaveChat { actor, at }.into()
    } else {
        RemoveParticipant { actor, at, user_id }.into()
    };
    run(&state, &read, chat_id, &caller, command).await
}

/// `PATCH /api/chats/{id}/participants/{uid}`: change role (admins).
#[utoipa::path(
    patch,
    path = "/api/chats/{id}/participants/{uid}",
    operation_id = "changeRole",
    params(ParticipantPath),
    request_body = ChangeRoleBody,
    responses(
        CommandAnswers,
        Refusals,
        WriteRefusals
    )
)]
pub async fn change_role(
    state: web::Data<ApiState>,
    read: web::Data<ReadSide>,
    caller: Caller,
    path: web::Path<(ChatId, UserId)>,
    body: web::Json<ChangeRoleBody>,
) -> Result<HttpResponse, ApiError> {
    let (chat_id, user_id) = path.into_inner();
    let command = ChangeParticipantRole {
        actor: caller.actor.clone(),
        at: state.now(),
        user_id,
        role: body.role,
    };
    run(&state, &read, chat_id, &caller, command.into()).await
}
