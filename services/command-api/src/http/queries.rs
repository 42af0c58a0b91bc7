//! Query routes over the read models: one chat, its participants and
//! its history. Only active participants see a chat; to anyone else every chat is 404,
//! as an unknown or hard-deleted one.

use actix_web::{HttpResponse, web};
use chat_domain::{ChatError, ChatId, MessageId, Role};
use chat_read_model::bucket::bucket_of_message;
use chat_read_model::history::{self, HistoryError, HistoryQuery, MAX_PAGE};
use chat_read_model::model::{ChatRecord, MessageRecord, ParticipantRecord};
use chat_read_model::person::Person;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::app::CommandError;
use crate::http::caller::Caller;
use crate::http::chat_list::with_last_messages;
use crate::http::error::ApiError;
use crate::http::names::name_authors;
use crate::http::paging;
use crate::http::read::ReadSide;
use crate::media::MediaService;

/// The history page size when the client names none.
const DEFAULT_PAGE: usize = 50;

/// `GET /api/chats/{id}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct ChatDetails {
    #[serde(flatten)]
    chat: ChatRecord,
    #[schema(value_type = crate::http::schemas::RoleSchema)]
    role: Role,
    /// The caller's exact unread count.
    unread_count: u64,
    /// The last message the caller read.
    #[schema(value_type = Option<uuid::Uuid>)]
    last_read_message_id: Option<MessageId>,
}

/// One entry of `GET /api/chats/{id}/participants`: the participant and their name in
/// the user directory.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NamedParticipant {
    #[serde(flatten)]
    participant: ParticipantRecord,
    name: Option<String>,
}

/// `GET /api/chats/{id}/messages` query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HistoryParams {
    /// Only messages older than this one.
    #[serde(default)]
    #[param(value_type = Option<uuid::Uuid>)]
    pub before: Option<MessageId>,
    /// Only messages newer than this one.
    #[serde(default)]
    #[param(value_type = Option<uuid::Uuid>)]
    pub after: Option<MessageId>,
    /// Page size, 1..=100 (default 50).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// The chat, if it exists and the caller participates in it.
pub(super) async fn visible_chat(
    read: &ReadSide,
    caller: &Caller,
    chat_id: ChatId,
) -> Result<(ChatRecord, Role), ApiError> {
    let user = caller.user_id()?;
    let chat = read
        .chats
        .chat(chat_id)
        .await?
        .ok_or(ApiError::Rejected(ChatError::ChatNotFound))?;
    // The authority, not the read model: a removal holds before the projectors see it.
    let role = read
        .members
        .role_of(chat_id, user)
        .await
        .map_err(CommandError::Store)?
        .ok_or(ApiError::Rejected(ChatError::ChatNotFound))?;
    Ok((chat, role))
}

/// A message of the chat, from the CQL store.
///
/// # Errors
/// 404 `message_not_found` when there is none.
pub(super) async fn stored_message(
    read: &ReadSide,
    chat_id: ChatId,
    message_id: MessageId,
) -> Result<MessageRecord, ApiError> {
    // A message id that is not a TIMEUUID names no bucket, so no message.
    let message = match bucket_of_message(message_id) {
        Some(bucket) => read.messages.message(chat_id, bucket, message_id).await?,
        None => None,
    };
    message.ok_or(ApiError::Rejected(ChatError::MessageNotFound))
}

/// `GET /api/chats/{id}`: the chat's details and the caller's role.
#[utoipa::path(
    get,
    path = "/api/chats/{id}",
    operation_id = "getChat",
    params(crate::http::paths::ChatPath),
    responses(
        (status = 200, description = "The chat and the caller's place in it", body = ChatDetails),
        crate::http::refusals::Refusals,
        crate::http::refusals::ReadRefusals
    )
)]
pub async fn details(
    read: web::Data<ReadSide>,
    caller: Caller,
    chat_id: web::Path<ChatId>,
) -> Result<HttpResponse, ApiError> {
    let (mut chat, role) = visible_chat(&read, &caller, *chat_id).await?;
    let user = caller.user_id()?;
    let ((), position) = futures_util::try_join!(
        with_last_messages(&read, std::iter::once(&mut chat)),
        async { Ok(read.chats.read_position(chat_id.into_inner(), user).await?) }
    )?;
    Ok(HttpResponse::Ok().json(ChatDetails {
        chat,
        role,
        unread_count: position.map_or(0, |p| p.unread_count),
        last_read_message_id: position.and_then(|p| p.last_read_message_id),
    }))
}

/// `GET /api/chats/{id}/participants`: the active participants, in joining order, each
/// with the name the user directory knows.
#[utoipa::path(
    get,
    path = "/api/chats/{id}/participants",
    operation_id = "listParticipants",
    params(crate::http::paths::ChatPath),
    responses(
        (status = 200, description = "The active participants", body = crate::http::answers::ParticipantList),
        crate::http::refusals::Refusals,
        crate::http::refusals::ReadRefusals
    )
)]
pub async fn participants(
    read: web::Data<ReadSide>,
    caller: Caller,
    chat_id: web::Path<ChatId>,
) -> Result<HttpResponse, ApiError> {
    visible_chat(&read, &caller, *chat_id).await?;
    let participants = read.chats.participants(*chat_id).await?;
    let people: Vec<Person> = participants
        .iter()
        .map(|p| Person::User(p.user_id))
        .collect();
    let mut names = read.chats.names(&people).await?;
    let participants: Vec<NamedParticipant> = participants
        .into_iter()
        .map(|participant| NamedParticipant {
            name: names.remove(&Person::User(participant.user_id)),
            participant,
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "participants": participants })))
}

/// `GET /api/chats/{id}/messages/{mid}`: one message as the history shows it (a deleted
/// one without its text or file; a media message's file with a download URL), where a
/// send's `Location` points.
#[utoipa::path(
    get,
    path = "/api/chats/{id}/messages/{mid}",
    operation_id = "getMessage",
    params(crate::http::paths::MessagePath),
    responses(
        (status = 200, description = "The message as the history shows it", body = crate::media::views::MessageView),
        crate::http::refusals::Refusals,
        crate::http::refusals::ReadRefusals
    )
)]
pub async fn message(
    read: web::Data<ReadSide>,
    media: web::Data<MediaService>,
    caller: Caller,
    path: web::Path<(ChatId, MessageId)>,
) -> Result<HttpResponse, ApiError> {
    let (chat_id, message_id) = path.into_inner();
    visible_chat(&read, &caller, chat_id).await?;
    let mut message = stored_message(&read, chat_id, message_id).await?;
    name_authors(&read, std::iter::once(&mut message)).await?;
    Ok(HttpResponse::Ok().json(media.view(message).await))
}

/// `GET /api/chats/{id}/messages?before=&after=&limit=`: a page of history, newest first,
/// media messages' files with download URLs.
/// `next_before` (present when the page is full) continues towards older messages.
#[utoipa::path(
    get,
    path = "/api/chats/{id}/messages",
    operation_id = "listMessages",
    params(crate::http::paths::ChatPath, HistoryParams),
    responses(
        (status = 200, description = "A page of history", body = crate::http::answers::MessagePage),
        crate::http::refusals::Refusals,
        crate::http::refusals::ReadRefusals
    )
)]
pub async fn history(
    read: web::Data<ReadSide>,
    media: web::Data<MediaService>,
    caller: Caller,
    chat_id: web::Path<ChatId>,
    params: web::Query<HistoryParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let limit = paging::limit(params.limit, DEFAULT_PAGE, MAX_PAGE)?;
    let (chat, _) = visible_chat(&read, &caller, *chat_id).await?;
    let query = HistoryQuery {
        before: params.before,
        after: params.after,
        limit,
    };
    let mut messages = history::page(&*read.messages, &chat, query)
        .await
        .map_err(|e| match e {
            HistoryError::BadCursor(_) => ApiError::bad_request("invalid_cursor", e.to_string()),
            HistoryError::Store(e) => e.into(),
        })?;
    let next_before = (messages.len() == limit)
        .then(|| messages.last().map(|m| m.id))
        .flatten();
    name_authors(&read, messages.iter_mut()).await?;
    let messages = media.views(messages).await;
    Ok(HttpResponse::Ok().json(json!({ "messages": messages, "next_before": next_before })))
}
