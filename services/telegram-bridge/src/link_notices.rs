//! Each chat is told when its link breaks and when it heals: a notice in the chat
//! (`telegram_link_changed` through command-api), so the people there learn why
//! Telegram went quiet instead of guessing.
//!
//! The links' health is the truth ([`crate::link_health`]); what each chat was told is
//! kept beside it, and this task posts the difference: woken on every change, and every
//! `retry_every` for what could not be posted (command-api away). A change of mind
//! before it was told (broken, then healthy again) is not told at all.

use std::sync::Arc;
use std::time::Duration;

use chat_domain::chat::events::TelegramLinkChange;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::adapters::command_api::{CommandApiClient, CommandError};
use crate::adapters::pg::{BridgeStore, PendingNotice, StoreError};

/// Posts the notices of link changes.
#[derive(Debug, Clone)]
pub struct LinkNotices {
    store: BridgeStore,
    commands: CommandApiClient,
    wake: Arc<Notify>,
}

impl LinkNotices {
    /// Notices read from `store`, posted through `commands`, woken by `wake`.
    #[must_use]
    pub const fn new(store: BridgeStore, commands: CommandApiClient, wake: Arc<Notify>) -> Self {
        Self {
            store,
            commands,
            wake,
        }
    }

    /// Posts what is pending now, then whenever woken or every `retry_every`, until
    /// `shutdown`.
    pub async fn run(&self, retry_every: Duration, shutdown: CancellationToken) {
        loop {
            if let Err(e) = self.post_pending().await {
                tracing::warn!(error.message = %e, "cannot read the link notices to post");
            }
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = self.wake.notified() => {}
                () = tokio::time::sleep(retry_every) => {}
            }
        }
    }

    /// Posts every pending notice once; what fails stays pending. The number posted.
    ///
    /// # Errors
    /// [`StoreError`] when the pending notices cannot be read or recorded.
    pub async fn post_pending(&self) -> Result<usize, StoreError> {
        let mut posted = 0;
        for notice in self.store.pending_notices().await? {
            if self.post(&notice).await {
                self.store
                    .notified(notice.chat_id, notice.broken_reason.as_deref())
                    .await?;
                posted += 1;
            }
        }
        Ok(posted)
    }

    /// Posts one notice; `true` when it is done with (posted, or refused for good).
    async fn post(&self, notice: &PendingNotice) -> bool {
        let change = notice
            .broken_reason
            .as_ref()
            .map_or(TelegramLinkChange::Restored, |reason| {
                TelegramLinkChange::Broken {
                    reason: reason.clone(),
                }
            });
        match self
            .commands
            .report_link_change(notice.chat_id, notice.telegram_chat_id, &change)
            .await
        {
            Ok(_) => true,
            // The chat is unlinked or gone meanwhile: nobody to tell.
            Err(CommandError::Refused { status, code }) => {
                tracing::warn!(chat_id = %notice.chat_id, status, %code, "a link notice was refused; dropped");
                true
            }
            Err(e @ CommandError::Unavailable(_)) => {
                tracing::warn!(chat_id = %notice.chat_id, error.message = %e, "cannot post a link notice yet");
                false
            }
        }
    }
}
