//! Message history across time buckets: cursor pagination on the message id.
//!
//! Pages are newest first. Without a cursor a page starts at the chat's newest message;
//! `before` reads older messages than the cursor, `after` newer ones (the ones right
//! after it), `before` and `after` together the messages between them. The walk starts
//! in the cursor's bucket (derived from its TIMEUUID time) and stops at the chat's
//! oldest or newest bucket, skipping empty buckets.

use chat_domain::MessageId;

use crate::bucket::bucket_of_message;
use crate::model::{BucketRange, ChatRecord, Direction, MessageRecord};
use crate::ports::{MessageQueries, StoreError};

/// The largest page.
pub const MAX_PAGE: usize = 100;

/// One history request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryQuery {
    /// Only messages older than this one.
    pub before: Option<MessageId>,
    /// Only messages newer than this one.
    pub after: Option<MessageId>,
    /// At most this many (1..=[`MAX_PAGE`]).
    pub limit: usize,
}

/// Why a history page could not be read.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// A cursor that is not a message id of ours (not a TIMEUUID).
    #[error("cursor {0} is not a message id (a TIMEUUID)")]
    BadCursor(MessageId),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn bucket(id: MessageId) -> Result<i32, HistoryError> {
    bucket_of_message(id).ok_or(HistoryError::BadCursor(id))
}

/// One page of `chat`'s history, newest first.
///
/// # Errors
/// [`HistoryError`] for a bad cursor or a failing store.
pub async fn page<Q: MessageQueries + ?Sized>(
    queries: &Q,
    chat: &ChatRecord,
    query: HistoryQuery,
) -> Result<Vec<MessageRecord>, HistoryError> {
    let before = query.before.map(bucket).transpose()?;
    let after = query.after.map(bucket).transpose()?;
    let limit = query.limit.clamp(1, MAX_PAGE);
    let Some((oldest, newest)) = chat.buckets else {
        return Ok(Vec::new());
    };
    let (direction, buckets): (Direction, Vec<i32>) = if query.before.is_none() && after.is_some() {
        let from = after.unwrap_or(oldest).max(oldest);
        (Direction::Newer, (from..=newest).collect())
    } else {
        let from = before.unwrap_or(newest).min(newest);
        let to = after.unwrap_or(oldest).max(oldest);
        (Direction::Older, (to..=from).rev().collect())
    };
    let mut messages = Vec::with_capacity(limit);
    for bucket in buckets {
        let range = BucketRange {
            bucket,
            after: query.after,
            before: query.before,
            direction,
            limit: limit - messages.len(),
        };
        messages.extend(queries.bucket_page(chat.id, range).await?);
        if messages.len() >= limit {
            break;
        }
    }
    if direction == Direction::Newer {
        messages.reverse();
    }
    Ok(messages)
}
