//! The `/wse` endpoint: admits the connection under the replica's limit, authenticates
//! the token, admits it under the user's limit, upgrades, and hands the socket to its
//! connection task (`ws::connection`).
//!
//! The token comes as `?token=` or `Authorization: Bearer`; a refused token still
//! upgrades, then closes with 4401 and the reason, so browser clients (which cannot
//! read an HTTP error of a WebSocket handshake) learn why. `?resume=<chat>:<version>,..`
//! asks for what was missed, as a `resume` frame does.

mod connection;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::header::{AUTHORIZATION, UPGRADE};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, web};
use chat_auth::Authenticator;
use chat_domain::Actor;
use serde_json::json;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use crate::hub::Hub;
use crate::limits::{FrameLimits, UserConnections};
use crate::metrics::CONNECTIONS_REFUSED;
use crate::ports::MembershipSource;
use crate::protocol::CloseWhy;
use crate::typing_relay::TypingRelay;

/// Heartbeat and close timing of every connection.
#[derive(Debug, Clone, Copy)]
pub struct SessionSettings {
    /// How often the server pings.
    pub heartbeat: Duration,
    /// Silence after which the client is disconnected.
    pub idle_timeout: Duration,
    /// How long a resume waits for this replica to route the version the client saw.
    pub resume_wait: Duration,
    /// The rate and size of client frames.
    pub frames: FrameLimits,
}

/// Everything a connection needs, shared by all of them.
#[derive(Debug)]
pub struct Gateway {
    /// The routing state.
    pub hub: Arc<Hub>,
    /// Verifies tokens.
    pub auth: Authenticator,
    /// Memberships at connect (PostgreSQL in production).
    pub directory: Arc<dyn MembershipSource>,
    /// One permit per open connection.
    pub limit: Arc<Semaphore>,
    /// Open connections per user.
    pub users: UserConnections,
    /// Sends typing signals to the other replicas, when configured.
    pub relay: Option<TypingRelay>,
    /// Heartbeats and timeouts.
    pub session: SessionSettings,
    /// Fires when the gateway shuts down: every connection closes with 1012.
    pub shutdown: CancellationToken,
}

/// A refused upgrade in the error shape. Its `Retry-After` is a guess: a slot frees when
/// a connection closes, which nothing predicts.
fn refused(mut response: HttpResponseBuilder, code: &str, message: &str) -> HttpResponse {
    response
        .insert_header(("Retry-After", "5"))
        .json(json!({"error": {"code": code, "message": message}}))
}

/// Mounts `GET /wse`.
pub fn configure(gateway: web::Data<Gateway>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(gateway).route("/wse", web::get().to(upgrade));
    }
}

async fn upgrade(
    req: HttpRequest,
    body: web::Payload,
    gateway: web::Data<Gateway>,
) -> actix_web::Result<HttpResponse> {
    // Plain HTTP requests are told so before anything is looked up or registered.
    let is_upgrade = req
        .headers()
        .get(UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if !is_upgrade {
        return Ok(HttpResponse::BadRequest().json(json!({"error": {
            "code": "not_a_websocket_upgrade",
            "message": "GET /wse upgrades to a WebSocket (Upgrade: websocket)"
        }})));
    }
    let Ok(permit) = Arc::clone(&gateway.limit).try_acquire_owned() else {
        CONNECTIONS_REFUSED.with_label_values(&["replica"]).inc();
        return Ok(refused(
            HttpResponse::ServiceUnavailable(),
            "too_many_connections",
            "the gateway is at its connection limit; retry later",
        ));
    };
    // A query that does not decode is treated as empty: the token is then missing.
    let mut query = web::Query::<HashMap<String, String>>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .unwrap_or_default();
    let identity = match query.remove("token") {
        Some(token) => gateway.auth.authenticate(&token),
        None => gateway.auth.authenticate_header(
            req.headers()
                .get(AUTHORIZATION)
                .and_then(|v| v.to_str().ok()),
        ),
    };
    // The token came with the request, so the refusal can be an HTTP answer, before
    // anything is looked up.
    let slot = match identity.as_ref().ok().and_then(Actor::user_id) {
        Some(user) => {
            let Some(slot) = gateway.users.try_open(user) else {
                CONNECTIONS_REFUSED.with_label_values(&["user"]).inc();
                return Ok(refused(
                    HttpResponse::TooManyRequests(),
                    "too_many_user_connections",
                    "this user has as many connections open on this gateway as allowed; close one",
                ));
            };
            Some(slot)
        }
        None => None,
    };
    // Registered before the upgrade answers: every event routed after the client sees
    // the 101 reaches it.
    let admitted = match identity {
        Ok(actor) => admit(&gateway, actor).await,
        Err(e) => Err((CloseWhy::Unauthenticated, Some(e.to_string()))),
    };
    let (response, session, stream) = actix_ws::handle(&req, body)?;
    let opened = connection::Opened {
        session,
        stream,
        admitted,
        resume: query.remove("resume"),
        permit,
        slot,
    };
    // The socket's stream lives on this worker's thread.
    actix_web::rt::spawn(connection::run(gateway.into_inner(), opened));
    Ok(response)
}

/// Registers an authenticated user's connection with their memberships, or says why
/// the socket closes right after the upgrade.
async fn admit(
    gateway: &Gateway,
    actor: Actor,
) -> Result<connection::Admitted, (CloseWhy, Option<String>)> {
    let Some(user) = actor.user_id() else {
        let detail = "a service identity cannot subscribe".to_owned();
        return Err((CloseWhy::Unauthenticated, Some(detail)));
    };
    let rows = gateway.directory.rows_of(user).await.map_err(|e| {
        tracing::warn!(error.message = %e, error.cause_chain = ?e, "participant read model unavailable");
        (CloseWhy::Unavailable, None)
    })?;
    Ok(connection::Admitted {
        connection: gateway.hub.connect(user, &rows, &gateway.shutdown),
        name: actor.user_name().map(str::to_owned),
    })
}
