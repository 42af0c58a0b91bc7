//! What every route shares: the command service, and the sources of time and ids.

use chat_domain::MessageId;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::app::{CommandError, CommandService};
use crate::http::error::ApiError;
use crate::media::UploadError;
use crate::ports::StoreError;
use crate::ports::erased::SharedEventStore;

/// Shared state of the routes.
#[derive(Debug)]
pub struct ApiState {
    /// Runs commands against the event store (PostgreSQL in production, memory in
    /// tests).
    pub commands: CommandService<SharedEventStore>,
    /// This process's node id for time-based message ids.
    node_id: [u8; 6],
}

impl ApiState {
    /// Routes state around `commands`, with a random node id for this process.
    pub fn new(commands: CommandService<SharedEventStore>) -> Self {
        let random = Uuid::new_v4().into_bytes();
        let mut node_id = [0; 6];
        node_id.copy_from_slice(&random[..6]);
        // Multicast bit set: marks a random node id rather than a MAC address (RFC 9562).
        node_id[0] |= 0x01;
        Self { commands, node_id }
    }

    /// The time a command happens at.
    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    /// A new time-ordered message id (TIMEUUID).
    pub fn new_message_id(&self) -> MessageId {
        MessageId::from_uuid(Uuid::now_v1(&self.node_id))
    }
}

impl From<CommandError> for ApiError {
    fn from(e: CommandError) -> Self {
        match e {
            CommandError::Rejected(rule) => rule.into(),
            CommandError::VersionRace { attempts } => Self::VersionRace { attempts },
            CommandError::ChatFull { limit } => Self::ChatFull { limit },
            CommandError::Store(StoreError::Unavailable(cause)) => Self::Unavailable(cause),
            CommandError::Store(StoreError::TelegramChatTaken { .. }) => Self::TelegramChatTaken,
            CommandError::Store(StoreError::AttachmentTaken) => UploadError::AlreadyUsed.into(),
            CommandError::Store(other) => Self::Internal(other.into()),
        }
    }
}
