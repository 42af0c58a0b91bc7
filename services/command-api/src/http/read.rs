//! The read side as the routes see it: the membership authority, the read models, and
//! read-your-writes.
//!
//! A command whose events include SYNC ones (chat created, participant added, message
//! sent or received from Telegram) answers only once projector-sync applied them, so the
//! caller's next GET sees its write. The wait is bounded: when it runs out, or the
//! checkpoint cannot be read, the answer is 202 (stored, not yet visible) with the same
//! body, never a success that a GET would contradict.

use std::time::Duration;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use chat_domain::{ChatId, Envelope, ProjectionKind};
use std::sync::Arc;

use chat_read_model::StoreError;

use crate::http::error::ApiError;
use crate::ports::read::{
    ChatReads, EditReads, Membership, MessageReads, ProjectionWait, SearchReads,
};

/// The read side's ports, shared by the routes: PostgreSQL and CQL in production
/// ([`crate::Application`]), memory in tests.
#[derive(Debug)]
pub struct ReadSide {
    /// Who is in which chat now, as the write side stored it: every access check asks
    /// it, not the read models, which may lag behind a removal.
    pub members: Arc<dyn Membership>,
    /// Chats, participants, unread counts, names, templates (PostgreSQL).
    pub chats: Arc<dyn ChatReads>,
    /// The edit history of messages (PostgreSQL).
    pub edits: Arc<dyn EditReads>,
    /// Message and chat search (PostgreSQL).
    pub search: Arc<dyn SearchReads>,
    /// Messages (CQL).
    pub messages: Arc<dyn MessageReads>,
    /// Waits for projector-sync's checkpoints.
    pub applied: Arc<dyn ProjectionWait>,
    /// How long a command waits for its SYNC events to be applied.
    pub sync_wait: Duration,
}

impl ReadSide {
    /// Whether projector-sync applied the SYNC event at `version` (waiting up to the
    /// bound); `None` is nothing to wait for (ASYNC events: eventually).
    pub async fn visible_at(&self, chat_id: ChatId, version: Option<u64>) -> bool {
        let Some(version) = version else {
            return true;
        };
        match self.applied.wait(chat_id, version, self.sync_wait).await {
            Ok(applied) => {
                if !applied {
                    tracing::warn!(%chat_id, version, "projector-sync did not apply in time; answering 202");
                }
                applied
            }
            Err(e) => {
                // The events are stored: failing the request would invite a duplicate retry.
                tracing::warn!(%chat_id, version, error.message = %e, "cannot read the projection checkpoint; answering 202");
                false
            }
        }
    }

    /// `response` as it is when the command's SYNC events are visible, else as 202.
    pub async fn settle(
        &self,
        chat_id: ChatId,
        envelopes: &[Envelope],
        response: HttpResponse,
    ) -> HttpResponse {
        let sync = envelopes
            .iter()
            .filter(|e| e.payload.projection_kind() == ProjectionKind::Sync)
            .map(|e| e.version)
            .max();
        self.settle_at(chat_id, sync, response).await
    }

    /// `response` as it is when the SYNC event at `version` is visible, else as 202.
    pub async fn settle_at(
        &self,
        chat_id: ChatId,
        version: Option<u64>,
        mut response: HttpResponse,
    ) -> HttpResponse {
        if !self.visible_at(chat_id, version).await {
            *response.status_mut() = StatusCode::ACCEPTED;
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Postgres(_) | StoreError::Cql(_) => Self::Unavailable(e.into()),
            StoreError::Corrupt(_) => Self::Internal(e.into()),
        }
    }
}
