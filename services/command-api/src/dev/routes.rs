//! The demo sign-in routes: `GET /dev/users` and `POST /dev/token`.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;

use crate::dev::users::{self, DEMO_USERS, DemoUser, Minted, TokenIssuer};
use crate::http::error::ApiError;

/// What the sign-in routes share.
#[derive(Debug)]
pub struct DemoSignIn {
    /// Mints the tokens.
    pub issuer: TokenIssuer,
    /// The gateway's WebSocket URL, handed out with every token.
    pub wse_url: String,
}

/// `POST /dev/token` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// A demo user's name (case-insensitive) or id.
    pub user: String,
}

/// `POST /dev/token` answer: `{"token", "expires_at", "user": {"id", "name"}, "wse_url"}`.
#[derive(Debug, Serialize)]
struct TokenResponse<'a> {
    #[serde(flatten)]
    minted: Minted,
    user: &'a DemoUser,
    wse_url: &'a str,
}

/// `GET /dev/users`: the demo users one may sign in as.
pub async fn list() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "users": DEMO_USERS }))
}

/// `POST /dev/token {"user": "alice"}`: a token for that demo user, the user, and where
/// the WebSocket gateway is.
///
/// # Errors
/// 400 `unknown_demo_user` for anyone but the demo users.
pub async fn token(
    sign_in: web::Data<DemoSignIn>,
    body: web::Json<TokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let user = users::find(&body.user).ok_or_else(|| {
        let names: Vec<_> = DEMO_USERS.iter().map(|u| u.name).collect();
        ApiError::bad_request(
            "unknown_demo_user",
            format!(
                "no demo user {:?}; try one of {}",
                body.user,
                names.join(", ")
            ),
        )
    })?;
    let minted = sign_in
        .issuer
        .mint(user, OffsetDateTime::now_utc())
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(HttpResponse::Ok().json(TokenResponse {
        minted,
        user,
        wse_url: &sign_in.wse_url,
    }))
}
