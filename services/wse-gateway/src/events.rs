//! The `chat.events` consumer's handler: every event goes to the hub.
//!
//! Each replica reads every partition itself, from the end it found at start-up, and
//! commits nothing (it is a broadcast reader: every replica sees every event, and a
//! restart only needs the live stream; clients resume from the replay buffer or
//! refetch).

use std::sync::Arc;

use chat_kafka::{EventHandler, HandlerError, ReceivedEvent};

use crate::hub::Hub;

/// Routes each event to the hub; never waits on a socket.
#[derive(Debug, Clone)]
pub struct HubFeed {
    hub: Arc<Hub>,
}

impl HubFeed {
    /// A feed into `hub`.
    #[must_use]
    pub const fn new(hub: Arc<Hub>) -> Self {
        Self { hub }
    }
}

impl EventHandler for HubFeed {
    async fn handle(&self, event: &ReceivedEvent) -> Result<(), HandlerError> {
        self.hub
            .publish(&event.envelope)
            .map_err(|e| HandlerError::Permanent(e.into()))
    }
}
