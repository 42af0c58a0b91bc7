//! The schemas of the answers the query routes build as JSON objects in place (a page
//! and its cursor, a list under a name): one type per answer, for the OpenAPI document
//! only. The API tests validate every answer against the document, so a schema here that
//! drifts from what its route answers fails them.

use chat_read_model::model::ChatListEntry;
use chat_read_model::search::MessageHit;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::queries::NamedParticipant;
use crate::media::views::MessageView;

/// `GET /api/chats`: a page of the caller's chats.
#[derive(Debug, ToSchema)]
pub struct ChatListPage {
    /// The chats, most recently active first, each with its newest message.
    pub chats: Vec<ChatListEntry>,
    /// The cursor of the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// `GET /api/chats/unread`: the caller's unread totals over their unarchived chats.
#[derive(Debug, ToSchema)]
pub struct UnreadTotals {
    /// Unread messages.
    pub unread_count: u64,
    /// Chats with any unread message (a badge).
    pub chats_with_unread: u64,
}

/// `GET /api/chats/{id}/participants`: the active participants, in joining order.
#[derive(Debug, ToSchema)]
pub struct ParticipantList {
    /// Each with the name the user directory knows.
    pub participants: Vec<NamedParticipant>,
}

/// `GET /api/chats/{id}/messages`: a page of history.
#[derive(Debug, ToSchema)]
pub struct MessagePage {
    /// The messages, newest first (oldest first with `after`).
    pub messages: Vec<MessageView>,
    /// Present when the page is full: pass it as `before` for older messages.
    pub next_before: Option<Uuid>,
}

/// `GET /api/search/messages`: a page of matches.
#[derive(Debug, ToSchema)]
pub struct MessageSearchPage {
    /// The matches in the caller's chats.
    pub messages: Vec<MessageHit>,
    /// The cursor of the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// `GET /api/search/chats`: the caller's chats whose name matches.
#[derive(Debug, ToSchema)]
pub struct ChatSearchResult {
    /// Most recently active first.
    pub chats: Vec<ChatListEntry>,
}
