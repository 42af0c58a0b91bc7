//! Search routes: messages (`GET /api/search/messages`) and chats by name
//! (`GET /api/search/chats`), only ever over the chats the membership authority says the
//! caller is in now: a removed participant, or anyone after a hard delete, finds nothing
//! of that chat, however far the search projection lags.

use actix_web::{HttpResponse, web};
use chat_domain::text::{self, TextKind};
use chat_domain::{ChatError, ChatId};
use chat_read_model::search::{MAX_HITS, MessageSearchQuery, SearchCursor, SearchScope};
use serde::Deserialize;
use serde_json::json;

use crate::http::caller::Caller;
use crate::http::chat_list::{current_among, current_chats};
use crate::http::error::ApiError;
use crate::http::names::name_authors;
use crate::http::paging;
use crate::http::queries::visible_chat;
use crate::http::read::ReadSide;

/// The longest query, in characters: longer ones are not searches but pasted text.
const MAX_QUERY_CHARS: usize = 200;

/// The page size when the client names none.
const DEFAULT_HITS: usize = 20;

/// `GET /api/search/messages` query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MessageSearchParams {
    /// The words (web-search syntax: `"a phrase"`, `or`, `-without`).
    pub q: String,
    /// Only this chat.
    #[serde(default)]
    #[param(value_type = Option<uuid::Uuid>)]
    pub chat_id: Option<ChatId>,
    /// Page size, 1..=50 (default 20).
    #[serde(default)]
    pub limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    #[serde(default)]
    pub cursor: Option<String>,
}

/// `GET /api/search/chats` query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ChatSearchParams {
    /// A word or part of the name.
    pub q: String,
    /// At most this many, 1..=50 (default 20).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// The query text, trimmed, once it is something to search for.
///
/// # Errors
/// 400 when it is empty, too long, or has no letter or digit (only operators or
/// punctuation); 422 when it holds a character the text policy refuses.
fn query_text(q: &str) -> Result<&str, ApiError> {
    let q = q.trim();
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::bad_request(
            "invalid_query",
            format!("q must be at most {MAX_QUERY_CHARS} characters"),
        ));
    }
    text::check("q", TextKind::SingleLine, q).map_err(ChatError::from)?;
    if !q.chars().any(char::is_alphanumeric) {
        return Err(ApiError::bad_request(
            "invalid_query",
            "q must contain a word to search for",
        ));
    }
    Ok(q)
}

/// `GET /api/search/messages?q=&chat_id=&limit=&cursor=`: the messages that match,
/// newest matches a window at a time, best first within each (see
/// [`chat_read_model::search`]), each with a highlighted snippet.
#[utoipa::path(
    get,
    path = "/api/search/messages",
    operation_id = "searchMessages",
    params(MessageSearchParams),
    responses(
        (status = 200, description = "A page of matches", body = crate::http::answers::MessageSearchPage),
        crate::http::refusals::Refusals,
        crate::http::refusals::ReadRefusals
    )
)]
pub async fn messages(
    read: web::Data<ReadSide>,
    caller: Caller,
    params: web::Query<MessageSearchParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let text = query_text(&params.q)?.to_owned();
    let limit = paging::limit(params.limit, DEFAULT_HITS, MAX_HITS)?;
    let after = paging::cursor(params.cursor.as_deref(), SearchCursor::decode)?;
    let user = caller.user_id()?;
    let scope = match params.chat_id {
        Some(chat_id) => {
            visible_chat(&read, &caller, chat_id).await?;
            SearchScope::Chat(chat_id)
        }
        None => SearchScope::Member(user),
    };
    let page = read
        .search
        .search_messages(&MessageSearchQuery {
            text,
            scope,
            after,
            limit,
        })
        .await?;
    // The read models may not have seen a removal yet: the authority has the last word
    // on every chat a hit comes from.
    let mut hits = page.hits;
    let found: Vec<ChatId> = hits.iter().map(|h| h.chat_id).collect();
    // Independent lookups, at once: the authority's word and the senders' names.
    let (current, ()) = futures_util::try_join!(
        current_among(&read, user, &found),
        name_authors(&read, hits.iter_mut()),
    )?;
    hits.retain(|h| current.contains(&h.chat_id));
    let next_cursor = page.next.map(|c| c.encode());
    Ok(HttpResponse::Ok().json(json!({ "messages": hits, "next_cursor": next_cursor })))
}

/// `GET /api/search/chats?q=&limit=`: the caller's chats whose name matches, most
/// recently active first.
#[utoipa::path(
    get,
    path = "/api/search/chats",
    operation_id = "searchChats",
    params(ChatSearchParams),
    responses(
        (status = 200, description = "The matching chats", body = crate::http::answers::ChatSearchResult),
        crate::http::refusals::Refusals,
        crate::http::refusals::ReadRefusals
    )
)]
pub async fn chats(
    read: web::Data<ReadSide>,
    caller: Caller,
    params: web::Query<ChatSearchParams>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.user_id()?;
    let text = query_text(&params.q)?;
    let limit = paging::limit(params.limit, DEFAULT_HITS, MAX_HITS)?;
    let (found, current) = futures_util::try_join!(
        async {
            read.search
                .search_chats(user, text, limit)
                .await
                .map_err(ApiError::from)
        },
        current_chats(&read, user),
    )?;
    let chats: Vec<_> = found
        .into_iter()
        .filter(|entry| current.contains(&entry.chat.id))
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "chats": chats })))
}
