//! wse-gateway: pushes chat events over WebSockets to the users allowed to see them.
//! - [`config`]: flags and environment.
//! - [`Application`]: connects to its dependencies and serves `/healthz` and `/readyz`
//!   until the shutdown token fires.

pub mod config;

use std::time::Duration;

use chat_runtime::connect;
use chat_runtime::health::Readiness;
use chat_runtime::ops;
use tokio_util::sync::CancellationToken;

pub use config::Config;

/// A wse-gateway with its dependencies connected.
#[derive(Debug)]
pub struct Application {
    cfg: Config,
    readiness: Readiness,
}

impl Application {
    /// Connects to the dependencies, failing fast when one does not answer.
    ///
    /// # Errors
    /// When a dependency does not answer.
    pub async fn build(cfg: Config) -> anyhow::Result<Self> {
        let timeout: Duration = cfg.ops.ready_timeout();
        let pool = connect::postgres(&cfg.pg).await?;
        let readiness = Readiness::default()
            .postgres(pool, timeout)
            .kafka(cfg.kafka.clone(), timeout);
        Ok(Self { cfg, readiness })
    }

    /// Runs until `shutdown` fires.
    ///
    /// # Errors
    /// When the operations server cannot listen.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        tracing::info!(addr = %self.cfg.ops.addr, "wse-gateway running");
        ops::serve(self.cfg.ops.addr, self.readiness, shutdown).await?;
        Ok(())
    }
}
