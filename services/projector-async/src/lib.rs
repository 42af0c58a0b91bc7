//! projector-async: applies the twelve ASYNC projections (eventually consistent) and owns the
//! exact unread counts (it also reads the SYNC events that move them).
//!
//! Everything but its name and projection is the shared runtime of `chat-projector`:
//! [`SERVICE`] says which, and [`Config`] is the shared settings under its name.

use chat_projector::{Projector, ProjectorConfig, Service};

/// projector-async: the ASYNC projection, in consumer group `projector-async` by default.
pub const SERVICE: Service = Service {
    name: "projector-async",
    projector: Projector::Async,
};

/// projector-async's flags and environment variables.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = SERVICE.name, version, about)]
pub struct Config {
    /// The settings every projector reads.
    #[command(flatten)]
    pub projector: ProjectorConfig,
}
