//! Applying one event to the read-model stores: the steps a projector runs for each event
//! (and the tests run the same way).
//!
//! Order: a hard delete's purge and the CQL cells first (idempotent by write time), then
//! the PostgreSQL transaction with the checkpoint (idempotent by versions). A crash in
//! between re-delivers the event, which rewrites the same cells and then commits.

use chat_domain::{ChatId, Envelope};

use crate::plan::{NotATimeUuid, Projector, directory, plan};
use crate::ports::{MessageStore, RowStore, StoreError};

/// Why an event was not applied (nothing of its row writes was).
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The event cannot be planned: it will never apply.
    #[error(transparent)]
    Plan(#[from] NotATimeUuid),
    /// A store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A hard delete whose chat's creation projector-sync has not projected yet: the
    /// extent of what to purge is unknown until it has.
    #[error("chat {0} is hard-deleted but its creation is not projected yet")]
    CreationNotProjected(ChatId),
}

/// What applying one event did to a projector's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowWrites {
    /// The event has no row writes for this projector.
    None,
    /// Its rows were written.
    Applied,
    /// Its rows were already there (a redelivery): nothing changed.
    Redelivered,
}

/// Applies `envelope` for `projector` and says what it did to the rows.
///
/// # Errors
/// [`ApplyError`]; applying the event again later is always safe.
pub async fn apply_event(
    rows: &impl RowStore,
    messages: &impl MessageStore,
    projector: Projector,
    envelope: &Envelope,
) -> Result<RowWrites, ApplyError> {
    let mut plan = plan(projector, &envelope.payload)?;
    if projector == Projector::Async {
        plan.rows.extend(directory(envelope));
    }
    let (chat_id, version) = (envelope.chat_id, envelope.version);
    if let Some(until) = plan.purge_until {
        let scope = rows
            .purge_scope(chat_id, until)
            .await?
            .ok_or(ApplyError::CreationNotProjected(chat_id))?;
        messages.purge(chat_id, version, &scope).await?;
    }
    if !plan.messages.is_empty() {
        messages.apply(chat_id, version, &plan.messages).await?;
    }
    if plan.rows.is_empty() {
        return Ok(RowWrites::None);
    }
    Ok(
        if rows.apply(projector, chat_id, version, &plan.rows).await? {
            RowWrites::Applied
        } else {
            RowWrites::Redelivered
        },
    )
}
