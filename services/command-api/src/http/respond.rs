//! Running one command for a route and answering with what it stored.

use actix_web::HttpResponse;
use actix_web::web;
use chat_domain::{ChatCommand, ChatId};
use utoipa::IntoResponses;

use crate::app::{Accepted, CommandRequest};
use crate::http::caller::Caller;
use crate::http::dto::CommandResponse;
use crate::http::error::ApiError;
use crate::http::read::ReadSide;
use crate::http::state::ApiState;

/// What a command route answers once its command is stored (a route that creates a chat
/// or a message answers 201 too).
#[derive(Debug, IntoResponses)]
pub enum CommandAnswers {
    /// Done, and visible to the next read (a create or send that was done already: the
    /// existing chat or message).
    #[response(status = 200)]
    Done(CommandResponse),
    /// Stored, but projector-sync did not apply it within the read-your-writes wait
    /// (`SYNC_WAIT_MS`): a GET may not show it yet.
    #[response(status = 202)]
    Stored(CommandResponse),
}

/// Builds the request for `command` on `chat_id` in the caller's context.
pub fn request(chat_id: ChatId, caller: &Caller, command: ChatCommand) -> CommandRequest {
    CommandRequest {
        chat_id,
        command,
        meta: caller.meta(),
        trace_context: caller.trace_context.clone(),
    }
}

/// Runs `command` and answers 200 with the stored events, once its SYNC events are
/// visible (202 when the bounded wait ran out; see [`ReadSide::settle`]).
///
/// # Errors
/// The command's [`ApiError`].
pub async fn run(
    state: &ApiState,
    read: &web::Data<ReadSide>,
    chat_id: ChatId,
    caller: &Caller,
    command: ChatCommand,
) -> Result<HttpResponse, ApiError> {
    let accepted = state
        .commands
        .execute(request(chat_id, caller, command))
        .await?;
    let ok = HttpResponse::Ok().json(response(chat_id, &accepted));
    Ok(read.settle(chat_id, &accepted.envelopes, ok).await)
}

/// The response body for an accepted command.
pub fn response(chat_id: ChatId, accepted: &Accepted) -> CommandResponse {
    CommandResponse::new(chat_id, accepted.state.version(), &accepted.envelopes)
}
