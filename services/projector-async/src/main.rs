//! projector-async binary: parse the config, start logging, project until SIGTERM.

use chat_projector::ProjectorApp;
use clap::Parser;
use projector_async::{Config, SERVICE};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cfg = Config::parse().projector;
    chat_runtime::telemetry::init(&cfg.logging)?;
    let shutdown = chat_runtime::shutdown::on_signal();
    ProjectorApp::build(SERVICE, &cfg)
        .await?
        .run_until_stopped(shutdown)
        .await
}
