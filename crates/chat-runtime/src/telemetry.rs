//! Structured logging for every service.

use tracing_subscriber::EnvFilter;

use crate::config::{LogFormat, LoggingConfig};

/// Installs the global log subscriber. Call once, first thing in `main`.
///
/// # Errors
/// When the filter does not parse or a subscriber is already installed.
pub fn init(cfg: &LoggingConfig) -> anyhow::Result<()> {
    let filter = EnvFilter::try_new(&cfg.filter)?;
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match cfg.format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    }
    .map_err(|e| anyhow::anyhow!("failed to install the log subscriber: {e}"))
}
