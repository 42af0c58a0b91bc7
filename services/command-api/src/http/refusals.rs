//! The error answers the OpenAPI document lists for each kind of route, every one with
//! the body [`ErrorBody`]. A route's `#[utoipa::path]` names [`Refusals`] and the set that
//! fits it.

use utoipa::IntoResponses;

use crate::http::error::ErrorBody;

/// What every route that needs a token may answer instead of success.
#[derive(Debug, IntoResponses)]
pub enum Refusals {
    /// No valid bearer token.
    #[response(status = 401)]
    Unauthenticated(ErrorBody),
    /// A dependency is down; retry later.
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

/// What a query route may answer instead of its data, besides [`Refusals`].
#[derive(Debug, IntoResponses)]
pub enum ReadRefusals {
    /// A malformed id, query parameter or cursor.
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// The caller may not ask this (a service identity on a users' route).
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// No such chat or message for the caller (a chat the caller is not in reads as absent).
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// A query value the text policy refuses.
    #[response(status = 422)]
    Invalid(ErrorBody),
}

/// What a command route may answer instead of the events it stored, besides
/// [`Refusals`].
#[derive(Debug, IntoResponses)]
pub enum WriteRefusals {
    /// The body is not JSON, or an id in the path is malformed.
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// The caller's role (or identity) may not do this.
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// No such chat or message for the caller (a chat the caller is not in reads as absent).
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// The chat's state refuses it: archived, already there, `chat_full`,
    /// `telegram_chat_linked_elsewhere`, or `version_conflict` (concurrent writers kept
    /// winning; retry).
    #[response(status = 409)]
    Conflict(ErrorBody),
    /// The body, a text or a file is over its limit.
    #[response(status = 413)]
    TooLarge(ErrorBody),
    /// The body is not `application/json`, or a file's type is not allowed.
    #[response(status = 415)]
    UnsupportedMediaType(ErrorBody),
    /// Well-formed JSON that breaks a rule: `invalid_body` (a missing or mistyped
    /// field), an empty or refused text, `too_many_participants` in one request, a
    /// Telegram group the bot cannot serve, an upload that is not the caller's to send.
    #[response(status = 422)]
    Invalid(ErrorBody),
    /// `rate_limited`: over the caller's rate limit; retry after `Retry-After` seconds.
    #[response(
        status = 429,
        headers(("Retry-After" = u64, description = "Seconds until a retry can succeed"))
    )]
    RateLimited(ErrorBody),
}
