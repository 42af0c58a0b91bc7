//! Links the bot cannot serve, however they are found: a refused send (outbound) or a
//! supergroup lost while following its updates (inbound), or an access check. Each
//! change is stored, counted (`telegram_links_broken` now, `telegram_link_breaks_total`
//! ever) and logged once, when it happens, and the chats are told
//! ([`crate::link_notices`]).

use std::sync::Arc;

use tokio::sync::Notify;

use crate::adapters::pg::{BridgeStore, StoreError};
use crate::metrics::{LINK_BREAKS, LINKS_BROKEN};

/// The health of the bridge's links.
#[derive(Debug, Clone)]
pub struct LinkHealth {
    store: BridgeStore,
    /// Wakes [`crate::link_notices`] to tell the chats.
    changed: Arc<Notify>,
}

impl LinkHealth {
    /// Health kept in `store`; `changed` is woken on every change.
    #[must_use]
    pub const fn new(store: BridgeStore, changed: Arc<Notify>) -> Self {
        Self { store, changed }
    }

    /// The links to supergroup `group` are broken because of `reason` (Telegram's
    /// error); `true` when one was healthy until now.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn broken(&self, group: i64, reason: &str) -> Result<bool, StoreError> {
        let changed = self.store.mark_broken(group, reason).await?;
        if changed {
            LINK_BREAKS.with_label_values(&[reason]).inc();
            self.changed.notify_one();
            tracing::error!(
                telegram_chat_id = group,
                %reason,
                "the bot lost access to a linked Telegram group; its link is marked broken"
            );
            self.recount().await?;
        }
        Ok(changed)
    }

    /// A call to supergroup `group` succeeded: its links are healthy; `true` when one was
    /// broken until now.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn healthy(&self, group: i64) -> Result<bool, StoreError> {
        let changed = self.store.mark_healthy(group).await?;
        if changed {
            tracing::info!(telegram_chat_id = group, "the bot reaches the group again");
            self.changed.notify_one();
            self.recount().await?;
        }
        Ok(changed)
    }

    /// Sets the gauge from the store (after a link changed, and at start).
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn recount(&self) -> Result<(), StoreError> {
        LINKS_BROKEN.set(self.store.broken_links().await?);
        Ok(())
    }
}
