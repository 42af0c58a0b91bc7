//! What makes one projector service itself, as data the shared runtime reads.

use chat_read_model::Projector;

/// A projector service: its name and the projection it applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Service {
    /// The binary's name, which is also its consumer group unless `--consumer-group`
    /// names another (so replicas of one service share the partitions).
    pub name: &'static str,
    /// The projection it applies.
    pub projector: Projector,
}
