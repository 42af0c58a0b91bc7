//! The API as an actix `App`: what the routes share, and the middleware around them. The
//! server of [`crate::Application`] and the memory-backed test app build theirs here, so
//! both serve the same routes the same way.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{App, web};
use chat_auth::Authenticator;

use crate::http::read::ReadSide;
use crate::http::state::ApiState;
use crate::limits::{self, WriteLimits};
use crate::media::MediaService;
use crate::telegram_access::TelegramAccessCheck;

/// What every route may extract, built once and shared by every worker.
#[derive(Debug, Clone)]
pub struct RouteData {
    /// The command service and the sources of time and ids.
    pub state: web::Data<ApiState>,
    /// The membership authority, the read models, read-your-writes.
    pub read: web::Data<ReadSide>,
    /// Verifies bearer tokens.
    pub authenticator: web::Data<Authenticator>,
    /// Per-caller rate limits and participant caps.
    pub write_limits: web::Data<WriteLimits>,
    /// The link-time check of the Telegram bot's access.
    pub telegram_access: web::Data<TelegramAccessCheck>,
    /// Uploads and download URLs of media messages.
    pub media: web::Data<MediaService>,
}

/// An `App` serving the API over `data`: the routes, their middleware, and the JSON 404
/// for any other path. The caller may add routes (health, development helpers).
pub fn api(
    data: RouteData,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        // Innermost: its 429s are traced and counted like any answer.
        .wrap(from_fn(limits::throttle_writes))
        .wrap(from_fn(chat_runtime::http_trace::trace_request))
        .wrap(from_fn(chat_runtime::metrics::track_http))
        .app_data(data.state)
        .app_data(data.read)
        .app_data(data.authenticator)
        .app_data(data.write_limits)
        .app_data(data.telegram_access)
        .app_data(data.media)
        .configure(crate::http::configure)
        .default_service(web::to(crate::http::error::no_such_route))
}
