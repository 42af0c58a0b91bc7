//! The path parameters of the routes, for the OpenAPI document: each named and described
//! once here, and listed by a route's `#[utoipa::path]` as `params(ChatPath)` and so on.

use utoipa::IntoParams;
use uuid::Uuid;

/// `{id}`: a chat.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ChatPath {
    /// The chat.
    pub id: Uuid,
}

/// `{id}` and `{mid}`: a message of a chat.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct MessagePath {
    /// The chat.
    pub id: Uuid,
    /// The message.
    pub mid: Uuid,
}

/// `{id}` and `{uid}`: a participant of a chat.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ParticipantPath {
    /// The chat.
    pub id: Uuid,
    /// The participant (the caller, to leave the chat).
    pub uid: Uuid,
}

/// `{id}`: a message template.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TemplatePath {
    /// The template.
    pub id: Uuid,
}
