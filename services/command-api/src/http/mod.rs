//! The REST API: routes, their shared plumbing, and the error shape.
//!
//! Every route is listed once, in `routes!`, which registers it, puts it in [`ROUTES`],
//! and puts its handler's `#[utoipa::path]` operation in the OpenAPI document
//! ([`openapi::document`]).

pub mod answers;
pub mod attachments;
pub mod caller;
pub mod chat_list;
pub mod chats;
pub mod dto;
pub mod edit_history;
pub mod error;
pub mod messages;
pub mod mount;
mod names;
pub mod openapi;
pub mod paging;
pub mod participants;
pub mod paths;
pub mod queries;
pub mod read;
pub mod refusals;
pub mod respond;
pub mod schemas;
pub mod search;
pub mod state;
pub mod telegram;
pub mod templates;

use actix_web::http::Method;
use actix_web::web;

macro_rules! routes {
    ($( $method:ident $path:literal => $($handler:ident)::+ ),* $(,)?) => {
        /// Every route of the API as `(method, path)`, in registration order.
        pub const ROUTES: &[(&str, &str)] = &[$((stringify!($method), $path)),*];

        fn register(cfg: &mut web::ServiceConfig) {
            $( cfg.route($path, web::method(Method::$method).to($($handler)::+)); )*
        }

        /// The operations of every route, from their handlers' `#[utoipa::path]`.
        #[derive(utoipa::OpenApi)]
        #[openapi(paths($($($handler)::+),*))]
        struct Operations;
    };
}

routes! {
    POST   "/api/chats" => chats::create,
    GET    "/api/chats" => chat_list::list,
    // Before `/api/chats/{id}`, which would take `unread` for an id.
    GET    "/api/chats/unread" => chat_list::unread,
    GET    "/api/chats/{id}" => queries::details,
    PATCH  "/api/chats/{id}" => chats::update,
    DELETE "/api/chats/{id}" => chats::delete,
    POST   "/api/chats/{id}/restore" => chats::restore,
    POST   "/api/chats/{id}/attachments" => attachments::request_upload,
    POST   "/api/chats/{id}/messages" => messages::send,
    GET    "/api/chats/{id}/messages" => queries::history,
    GET    "/api/chats/{id}/messages/{mid}" => queries::message,
    PATCH  "/api/chats/{id}/messages/{mid}" => messages::edit,
    DELETE "/api/chats/{id}/messages/{mid}" => messages::delete,
    GET    "/api/chats/{id}/messages/{mid}/history" => edit_history::history,
    POST   "/api/chats/{id}/read" => messages::mark_read,
    GET    "/api/chats/{id}/participants" => queries::participants,
    POST   "/api/chats/{id}/participants" => participants::add,
    DELETE "/api/chats/{id}/participants/{uid}" => participants::remove,
    PATCH  "/api/chats/{id}/participants/{uid}" => participants::change_role,
    POST   "/api/chats/{id}/telegram/link" => telegram::link,
    DELETE "/api/chats/{id}/telegram/link" => telegram::unlink,
    POST   "/api/chats/{id}/telegram/messages" => telegram::receive,
    POST   "/api/chats/{id}/telegram/link/changes" => telegram::link_changed,
    GET    "/api/search/messages" => search::messages,
    GET    "/api/search/chats" => search::chats,
    GET    "/api/templates" => templates::list,
    GET    "/api/templates/{id}" => templates::get,
    GET    "/api/openapi.json" => openapi::serve,
}

/// Mounts the API: its routes, the extractor error mapping, and the JSON 404.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(
        web::JsonConfig::default()
            .limit(error::JSON_LIMIT)
            .error_handler(error::json_error),
    )
    .app_data(web::PathConfig::default().error_handler(error::path_error))
    .app_data(web::QueryConfig::default().error_handler(error::query_error));
    register(cfg);
}
