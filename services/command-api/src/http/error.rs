//! The API's one error shape, `{"error": {"code": "...", "message": "..."}}`, and the
//! mapping of every failure onto it. A client's mistake is never a 500; a 500 body says
//! nothing about the cause (the log does).

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use chat_auth::AuthError;
use chat_domain::ChatError;
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// What went wrong: a stable code for programs, a message for humans.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code (`chat_not_found`, `invalid_body`, ...).
    pub code: String,
    /// What was wrong, for a human.
    pub message: String,
}

impl ErrorBody {
    /// The body for `code` and `message`.
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            error: ErrorDetail {
                code: code.to_owned(),
                message: message.into(),
            },
        }
    }
}

/// Everything a route can answer instead of success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No valid token (401).
    #[error(transparent)]
    Unauthenticated(#[from] AuthError),
    /// The aggregate refused the command: the rule it breaks decides the status. Built
    /// with `From<ChatError>`, which hides from a non-participant whether the chat exists.
    #[error(transparent)]
    Rejected(ChatError),
    /// Malformed request: not JSON, a bad id, a bad query parameter (400).
    #[error("{message}")]
    BadRequest {
        /// Stable machine-readable code.
        code: &'static str,
        /// What was wrong, for a human.
        message: String,
    },
    /// Well-formed JSON that does not fit the route: a missing or mistyped field (422).
    #[error("{0}")]
    InvalidBody(String),
    /// The body is over the size limit (413).
    #[error("request body is larger than {limit} bytes")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The route needs `Content-Type: application/json` (415).
    #[error("the request body must be JSON (Content-Type: application/json)")]
    NotJson,
    /// Concurrent writers kept winning: the retries did not resolve the race (409).
    #[error("the chat changed concurrently {attempts} times; retry the request")]
    VersionRace {
        /// How many times the command was re-decided.
        attempts: u32,
    },
    /// The caller's bucket is empty (429 with `Retry-After`).
    #[error("{what}; retry in {} s", chat_runtime::limits::retry_after_secs(*retry_after))]
    RateLimited {
        /// Which limit, for a human.
        what: &'static str,
        /// How long until the bucket has a token again.
        retry_after: std::time::Duration,
    },
    /// One request lists more participants than allowed (422).
    #[error("{listed} participants listed; at most {limit} per request")]
    TooManyParticipants {
        /// How many the request listed.
        listed: usize,
        /// The cap.
        limit: usize,
    },
    /// The chat would have more participants than allowed (409).
    #[error("the chat would have more than {limit} participants")]
    ChatFull {
        /// The cap.
        limit: usize,
    },
    /// The Telegram supergroup (or topic) serves another chat already (409).
    #[error("this Telegram chat is linked to another chat already; unlink it there first")]
    TelegramChatTaken,
    /// The Telegram bot is not a member of the group to link (422).
    #[error(
        "the Telegram bot is not a member of this group ({reason}): add it to the group, then link again"
    )]
    TelegramBotNotInGroup {
        /// Telegram's answer (`USER_NOT_PARTICIPANT`, `CHANNEL_PRIVATE`, ...).
        reason: String,
    },
    /// The Telegram bot would see only commands in the group (422).
    #[error(
        "the Telegram bot sees only commands in this group (privacy mode on and not an admin): \
         make it an admin of the group, or turn its privacy mode off with BotFather \
         (/setprivacy), then link again"
    )]
    TelegramBotPrivacyMode,
    /// A send names an upload it may not take, or one not stored whole (403/422).
    #[error(transparent)]
    Upload(#[from] crate::media::UploadError),
    /// A dependency (PostgreSQL, the object store) is down (503).
    #[error("a dependency is unavailable, retry later")]
    Unavailable(#[source] anyhow::Error),
    /// A bug or an unexpected failure (500, opaque to the client).
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl From<ChatError> for ApiError {
    /// The rule's answer, except that "not a participant" and "hard-deleted" read as
    /// "chat not found": whoever is not (or no longer) in a chat cannot tell an existing
    /// chat from an absent one, so chat ids (a direct chat's follows from its pair) reveal
    /// nothing.
    fn from(e: ChatError) -> Self {
        Self::Rejected(match e {
            ChatError::NotAParticipant | ChatError::ChatDeleted => ChatError::ChatNotFound,
            other => other,
        })
    }
}

impl ApiError {
    /// The stable `code` of the JSON body.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated(AuthError::Expired) => "token_expired",
            Self::Unauthenticated(_) => "unauthenticated",
            Self::Rejected(e) => e.code(),
            Self::BadRequest { code, .. } => code,
            Self::InvalidBody(_) => "invalid_body",
            Self::BodyTooLarge { .. } => "body_too_large",
            Self::NotJson => "unsupported_media_type",
            Self::VersionRace { .. } => "version_conflict",
            Self::TelegramChatTaken => "telegram_chat_linked_elsewhere",
            Self::TelegramBotNotInGroup { .. } => "telegram_bot_not_in_group",
            Self::TelegramBotPrivacyMode => "telegram_bot_privacy_mode",
            Self::RateLimited { .. } => "rate_limited",
            Self::TooManyParticipants { .. } => "too_many_participants",
            Self::ChatFull { .. } => "chat_full",
            Self::Upload(e) => e.code(),
            Self::Unavailable(_) => "unavailable",
            Self::Internal(_) => "internal",
        }
    }

    /// A 400 with `code` and `message`.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::BadRequest {
            code,
            message: message.into(),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            Self::Rejected(e) => StatusCode::from_u16(e.kind().http_status())
                .unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::InvalidBody(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::NotJson => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::VersionRace { .. } | Self::TelegramChatTaken | Self::ChatFull { .. } => {
                StatusCode::CONFLICT
            }
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::TooManyParticipants { .. }
            | Self::TelegramBotNotInGroup { .. }
            | Self::TelegramBotPrivacyMode => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Upload(e) => e.status(),
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Unavailable(e) | Self::Internal(e) => {
                tracing::error!(error.message = %e, error.cause_chain = ?e, code = self.code(), "request failed");
            }
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        if matches!(self, Self::Unauthenticated(_)) {
            response.insert_header(("WWW-Authenticate", "Bearer"));
        }
        if let Self::RateLimited { retry_after, .. } = self {
            let seconds = chat_runtime::limits::retry_after_secs(*retry_after);
            response.insert_header(("Retry-After", seconds.to_string()));
        }
        response.json(ErrorBody::new(self.code(), self.to_string()))
    }
}

/// Largest JSON body a route accepts. A message is at most 10,000 characters (up to 40 KB
/// of UTF-8) plus its envelope, so 64 KiB leaves room without inviting abuse.
pub const JSON_LIMIT: usize = 64 * 1024;

/// Maps actix's JSON extraction failures onto the API's shape.
pub fn json_error(err: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    match err {
        JsonPayloadError::OverflowKnownLength { limit, .. }
        | JsonPayloadError::Overflow { limit } => ApiError::BodyTooLarge { limit },
        JsonPayloadError::ContentType => ApiError::NotJson,
        JsonPayloadError::Deserialize(e) if e.is_data() => ApiError::InvalidBody(e.to_string()),
        JsonPayloadError::Deserialize(e) => {
            ApiError::bad_request("invalid_json", format!("the body is not valid JSON: {e}"))
        }
        other => ApiError::bad_request("invalid_body", other.to_string()),
    }
    .into()
}

/// Maps a malformed path segment (an id that is not a UUID) onto a 400.
pub fn path_error(err: PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::bad_request("invalid_path", format!("invalid id in the path: {err}")).into()
}

/// Maps a malformed query string onto a 400.
pub fn query_error(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::bad_request("invalid_query", err.to_string()).into()
}

/// The answer for a route that does not exist.
pub async fn no_such_route() -> HttpResponse {
    HttpResponse::NotFound().json(ErrorBody::new("no_such_route", "no such route"))
}
