//! Chat lifecycle routes: create, update, archive or hard delete, restore.

use actix_web::{HttpResponse, web};
use chat_domain::chat::commands::{
    ArchiveChat, CreateChat, HardDeleteChat, RestoreChat, UpdateChat,
};
use chat_domain::{ChatError, ChatId, ChatType, CompanyId, UserId, direct_chat_id_at};
use uuid::Uuid;

use crate::app::CommandError;
use crate::http::caller::Caller;
use crate::http::dto::{CommandResponse, CreateChatBody, DeleteChatQuery, UpdateChatBody};
use crate::http::error::ApiError;
use crate::http::paths::ChatPath;
use crate::http::read::ReadSide;
use crate::http::refusals::{Refusals, WriteRefusals};
use crate::http::respond::{CommandAnswers, request, response, run};
use crate::http::state::ApiState;
use crate::limits::WriteLimits;
use crate::media::MediaService;

/// The last generation of a pair's direct chat a create walks to (each earlier one was
/// hard-deleted): a bound on the loads one create may cost.
const MAX_DIRECT_GENERATION: u32 = 1_000;

/// `POST /api/chats`: 201 with `Location` once the chat is readable (202 if the
/// bounded read-your-writes wait ran out). A direct chat's id follows from its pair, so
/// creating one that exists answers 200 with the existing chat; after a hard delete the
/// pair gets a new one. Over the participants
/// one request may list: 422; over the user's chat-creation window: 429.
#[utoipa::path(
    post,
    path = "/api/chats",
    operation_id = "createChat",
    request_body = CreateChatBody,
    responses(
        (status = 201, description = "Created, and readable", body = CommandResponse),
        CommandAnswers,
        Refusals,
        WriteRefusals
    )
)]
pub async fn create(
    state: web::Data<ApiState>,
    read: web::Data<ReadSide>,
    limits: web::Data<WriteLimits>,
    caller: Caller,
    body: web::Json<CreateChatBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let creator = caller.user_id()?;
    limits.participants(body.participants.len())?;
    limits.create_chat(creator)?;
    let participants: Vec<UserId> = body
        .participants
        .into_iter()
        .map(UserId::from_uuid)
        .collect();
    // A direct chat's id follows from its pair; a hard-deleted one stays deleted, and the
    // pair's next direct chat is the next generation's.
    let direct = match (body.chat_type, participants.as_slice()) {
        (ChatType::Direct, [other]) => Some(*other),
        // Anything else is refused by the aggregate with the rule's own error.
        _ => None,
    };
    let mut generation = 0;
    loop {
        let chat_id = match direct {
            Some(other) => direct_chat_id_at(creator, other, generation),
            None => ChatId::from_uuid(Uuid::now_v7()),
        };
        let command = CreateChat {
            actor: caller.actor.clone(),
            at: state.now(),
            chat_id,
            chat_type: body.chat_type,
            name: body.name.clone(),
            company_id: body.company_id.map(CompanyId::from_uuid),
            participants: participants.clone(),
        };
        match state
            .commands
            .execute(request(chat_id, &caller, command.into()))
            .await
        {
            Ok(accepted) => {
                let created = HttpResponse::Created()
                    .insert_header(("Location", format!("/api/chats/{chat_id}")))
                    .json(response(chat_id, &accepted));
                return Ok(read.settle(chat_id, &accepted.envelopes, created).await);
            }
            Err(CommandError::Rejected(ChatError::ChatAlreadyExists)) if direct.is_some() => {
                let version = state.commands.version(chat_id).await?;
                return Ok(HttpResponse::Ok()
                    .insert_header(("Location", format!("/api/chats/{chat_id}")))
                    .json(CommandResponse::new(chat_id, version, &[])));
            }
            Err(CommandError::Rejected(ChatError::ChatDeleted))
                if direct.is_some() && generation < MAX_DIRECT_GENERATION =>
            {
                generation += 1;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// `PATCH /api/chats/{id}`: rename.
#[utoipa::path(
    patch,
    path = "/api/chats/{id}",
    operation_id = "updateChat",
    params(ChatPath),
    request_body = UpdateChatBody,
    responses(
        CommandAnswers,
        Refusals,
        WriteRefusals
    )
)]
pub async fn update(
    state: web::Data<ApiState>,
    read: web::Data<ReadSide>,
    caller: Caller,
    chat_id: web::Path<ChatId>,
    body: web::Json<UpdateChatBody>,
) -> Result<HttpResponse, ApiError> {
    let UpdateChatBody { name } = body.into_inner();
    if name.is_none() {
        return Err(ApiError::InvalidBody(
            "nothing to update: send a `name`".into(),
        ));
    }
    let command = UpdateChat {
        actor: caller.actor.clone(),
        at: state.now(),
        name,
    };
    run(&state, &read, *chat_id, &caller, command.into()).await
}

/// `DELETE /api/chats/{id}`: archive, or with `?hard=true` delete for good.
#[utoipa::path(
    delete,
    path = "/api/chats/{id}",
    operation_id = "deleteChat",
    params(ChatPath, DeleteChatQuery),
    responses(CommandAnswers, Refusals, WriteRefusals)
)]
pub async fn delete(
    state: web::Data<ApiState>,
    read: web::Data<ReadSide>,
    media: web::Data<MediaService>,
    caller: Caller,
    chat_id: web::Path<ChatId>,
    query: web::Query<DeleteChatQuery>,
) -> Result<HttpResponse, ApiError> {
    let (actor, at) = (caller.actor.clone(), state.now());
    if !query.hard {
        let command = ArchiveChat { actor, at }.into();
        return run(&state, &read, *chat_id, &caller, command).await;
    }
    let command = HardDeleteChat { actor, at }.into();
    let answer = run(&state, &read, *chat_id, &caller, command).await?;
    // Every object of the chat goes now, not at the next housekeeping.
    media.release();
    Ok(answer)
}

/// `POST /api/chats/{id}/restore`.
#[utoipa::path(
    post,
    path = "/api/chats/{id}/restore",
    operation_id = "restoreChat",
    params(ChatPath),
    responses(CommandAnswers, Refusals, WriteRefusals)
)]
pub async fn restore(
    state: web::Data<ApiState>,
    read: web::Data<ReadSide>,
    caller: Caller,
    chat_id: web::Path<ChatId>,
) -> Result<HttpResponse, ApiError> {
    let command = RestoreChat {
        actor: caller.actor.clone(),
        at: state.now(),
    };
    run(&state, &read, *chat_id, &caller, command.into()).await
}
