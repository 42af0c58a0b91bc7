//! projector-async: applies the twelve ASYNC projections (eventually consistent) and owns the
//! exact unread counts (it also reads the SYNC events that move them).
//!
//! - [`config`]: flags and environment.
//! - [`Application`]: consumes `chat.events` in its own consumer group and applies the
//!   projection (the shared runtime of `chat-read-model`), serving `/healthz` and
//!   `/readyz`, until the shutdown token fires.

pub mod config;

use chat_read_model::Projector;
use chat_read_model::projector::ProjectorApp;
use tokio_util::sync::CancellationToken;

pub use config::Config;

/// A projector-async with its dependencies connected and its consumer subscribed.
#[derive(Debug)]
pub struct Application {
    inner: ProjectorApp,
}

impl Application {
    /// Connects to the dependencies (failing fast when one does not answer), empties the
    /// read models first when `--rebuild` asks for it, and subscribes.
    ///
    /// # Errors
    /// When a dependency does not answer or the schema is missing.
    pub async fn build(cfg: Config) -> anyhow::Result<Self> {
        let inner = ProjectorApp::build(
            Projector::Async,
            &cfg.pg,
            &cfg.kafka,
            &cfg.cql,
            &cfg.ops,
            &cfg.projection,
        )
        .await?;
        Ok(Self { inner })
    }

    /// Projects until `shutdown` fires, then finishes the event in flight and commits.
    ///
    /// # Errors
    /// When the operations server cannot listen.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        self.inner.run_until_stopped(shutdown).await
    }
}
