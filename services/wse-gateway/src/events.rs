//! The `chat.events` consumer's handler: every event goes to the hub.
//!
//! Each replica reads every partition itself, from the end it found at start-up, and
//! commits nothing (it is a broadcast reader: every replica sees every event, and a
//! restart only needs the live stream; clients resume from the replay buffer or
//! refetch).

use std::sync::Arc;

use chat_kafka::{EventHandler, HandlerError, ReceivedEvent};

use crate::downloads::DownloadSigner;
use crate::hub::Hub;

/// Routes each event to the hub; never waits on a socket.
#[derive(Debug, Clone)]
pub struct HubFeed {
    hub: Arc<Hub>,
    downloads: Option<DownloadSigner>,
}

impl HubFeed {
    /// A feed into `hub`, signing media messages' download URLs with `downloads` (none
    /// without an object store).
    #[must_use]
    pub const fn new(hub: Arc<Hub>, downloads: Option<DownloadSigner>) -> Self {
        Self { hub, downloads }
    }
}

impl EventHandler for HubFeed {
    async fn handle(&self, event: &ReceivedEvent) -> Result<(), HandlerError> {
        let url = match &self.downloads {
            Some(signer) => signer.url(&event.envelope).await,
            None => None,
        };
        self.hub
            .publish(&event.envelope, url.as_deref())
            .map_err(|e| HandlerError::Permanent(e.into()))
    }
}
