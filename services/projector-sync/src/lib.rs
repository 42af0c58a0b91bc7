//! projector-sync: applies the SYNC projections (ChatCreated, ParticipantAdded, MessageSent,
//! TelegramMessageReceived) so a client reads its own writes: command-api answers once the
//! checkpoint this projector writes (and notifies) in the same transaction covers its events.
//!
//! Everything but its name and projection is the shared runtime of `chat-projector`:
//! [`SERVICE`] says which, and [`Config`] is the shared settings under its name.

use chat_projector::{Projector, ProjectorConfig, Service};

/// projector-sync: the SYNC projection, in consumer group `projector-sync` by default.
pub const SERVICE: Service = Service {
    name: "projector-sync",
    projector: Projector::Sync,
};

/// projector-sync's flags and environment variables.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = SERVICE.name, version, about)]
pub struct Config {
    /// The settings every projector reads.
    #[command(flatten)]
    pub projector: ProjectorConfig,
}
