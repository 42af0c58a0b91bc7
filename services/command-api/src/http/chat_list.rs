//! The caller's chat list, a page at a time (`GET /api/chats`), and their unread totals
//! (`GET /api/chats/unread`).
//!
//! The read models list the chats; the membership authority drops those the caller has
//! left or been removed from that the projectors have not caught up with yet, so a page
//! may hold fewer than `limit` chats while `next_cursor` is still set: a client pages
//! until `next_cursor` is null. Each chat row keeps its newest message, so a page is one
//! read-model query; only chats projected before the rows kept it need the messages store
//! (read together).

use std::collections::{HashMap, HashSet};

use actix_web::{HttpResponse, web};
use chat_domain::{ChatId, ChatType, MessageId, UserId};
use chat_read_model::chat_list::{ChatListCursor, ChatListQuery, MAX_PAGE};
use chat_read_model::model::{ChatRecord, MessageRecord};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::app::CommandError;
use crate::http::caller::Caller;
use crate::http::error::ApiError;
use crate::http::names::name_authors;
use crate::http::paging;
use crate::http::read::ReadSide;

/// The page size when the client names none: 100, as many chats as a client that does
/// not page yet sees at once (a larger account's older chats need `next_cursor`).
const DEFAULT_PAGE: usize = 100;

/// `GET /api/chats` query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ChatListParams {
    /// Page size, 1..=200 (default 100).
    #[serde(default)]
    pub limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Archived chats instead of the others (default false).
    #[serde(default)]
    pub archived: bool,
    /// Only chats of this type.
    #[serde(default, rename = "type")]
    #[param(value_type = Option<crate::http::schemas::ChatTypeSchema>)]
    pub chat_type: Option<ChatType>,
    /// Only chats of this company.
    #[serde(default)]
    pub company_id: Option<Uuid>,
}

impl ChatListParams {
    /// The store query these parameters ask for.
    ///
    /// # Errors
    /// [`ApiError::BadRequest`] for a limit out of range or a cursor this API did not make.
    fn query(self) -> Result<ChatListQuery, ApiError> {
        let limit = paging::limit(self.limit, DEFAULT_PAGE, MAX_PAGE)?;
        let after = paging::cursor(self.cursor.as_deref(), ChatListCursor::decode)?;
        Ok(ChatListQuery {
            archived: Some(self.archived),
            chat_type: self.chat_type,
            company_id: self.company_id,
            after,
            limit,
        })
    }
}

/// The chats `user` is in now, as the membership authority says.
pub(super) async fn current_chats(
    read: &ReadSide,
    user: UserId,
) -> Result<HashSet<ChatId>, ApiError> {
    read.members
        .chats_of(user)
        .await
        .map_err(|e| CommandError::Store(e).into())
}

/// Which of `chats` `user` is in now, as the membership authority says (a page's worth:
/// cheaper than all of a user's chats).
pub(super) async fn current_among(
    read: &ReadSide,
    user: UserId,
    chats: &[ChatId],
) -> Result<HashSet<ChatId>, ApiError> {
    if chats.is_empty() {
        return Ok(HashSet::new());
    }
    read.members
        .current_among(user, chats)
        .await
        .map_err(|e| CommandError::Store(e).into())
}

/// The newest messages of `chats` as shown: those whose rows do not keep theirs
/// (projected before the rows kept one) filled in from the messages store, all in one
/// read; then every author named as the user directory knows them now.
pub(super) async fn with_last_messages<'a>(
    read: &ReadSide,
    chats: impl Iterator<Item = &'a mut ChatRecord>,
) -> Result<(), ApiError> {
    let chats: Vec<&mut ChatRecord> = chats.collect();
    let wanted: Vec<(ChatId, MessageId)> = chats
        .iter()
        .filter(|chat| chat.last_message.is_none())
        .filter_map(|chat| Some((chat.id, chat.last_message_id?)))
        .collect();
    let mut found: HashMap<ChatId, MessageRecord> = if wanted.is_empty() {
        HashMap::new()
    } else {
        let stored = read.messages.messages(&wanted).await?;
        stored.into_iter().map(|m| (m.chat_id, m)).collect()
    };
    let mut shown = Vec::with_capacity(chats.len());
    for chat in chats {
        if let Some(message) = found.remove(&chat.id) {
            chat.last_message = Some(message);
        }
        shown.extend(chat.last_message.as_mut());
    }
    name_authors(read, shown).await
}

/// `GET /api/chats?limit=&cursor=&archived=&type=&company_id=`: the caller's chats, most
/// recently active first, each with its last message and the caller's exact unread count.
#[utoipa::path(
    get,
    path = "/api/chats",
    operation_id = "listChats",
    params(ChatListParams),
    responses(
        (status = 200, description = "A page of the caller's chats", body = crate::http::answers::ChatListPage),
        crate::http::refusals::Refusals,
        crate::http::refusals::ReadRefusals
    )
)]
pub async fn list(
    read: web::Data<ReadSide>,
    caller: Caller,
    params: web::Query<ChatListParams>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.user_id()?;
    let query = params.into_inner().query()?;
    let mut entries = read.chats.chat_list(user, &query).await?;
    // The cursor follows what the store listed, kept or not.
    let next_cursor = (entries.len() == query.limit)
        .then(|| entries.last().and_then(ChatListCursor::of))
        .flatten()
        .map(|c| c.encode());
    let listed: Vec<ChatId> = entries.iter().map(|e| e.chat.id).collect();
    // Independent lookups, at once: the authority's word and the newest messages' names.
    let (current, ()) = futures_util::try_join!(
        current_among(&read, user, &listed),
        with_last_messages(&read, entries.iter_mut().map(|e| &mut e.chat)),
    )?;
    entries.retain(|entry| current.contains(&entry.chat.id));
    Ok(HttpResponse::Ok().json(json!({ "chats": entries, "next_cursor": next_cursor })))
}

/// `GET /api/chats/unread`: the caller's unread messages over their unarchived chats,
/// and how many of those chats have any (a badge).
#[utoipa::path(
    get,
    path = "/api/chats/unread",
    operation_id = "unreadTotals",
    responses(
        (status = 200, description = "The caller's unread totals", body = crate::http::answers::UnreadTotals),
        crate::http::refusals::Refusals,
        crate::http::refusals::ReadRefusals
    )
)]
pub async fn unread(read: web::Data<ReadSide>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let user = caller.user_id()?;
    let (counts, current) = futures_util::try_join!(
        async { read.chats.unread_chats(user).await.map_err(ApiError::from) },
        current_chats(&read, user),
    )?;
    let (total, chats) = counts
        .into_iter()
        .filter(|(chat, _)| current.contains(chat))
        .fold((0_u64, 0_u64), |(total, chats), (_, n)| {
            (total + n, chats + 1)
        });
    Ok(HttpResponse::Ok().json(json!({ "unread_count": total, "chats_with_unread": chats })))
}
