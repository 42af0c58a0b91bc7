//! telegram-bridge binary: parse the config, start logging, run until SIGTERM.

use clap::Parser;
use telegram_bridge::{Application, Config};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cfg = Config::parse();
    chat_runtime::telemetry::init(&cfg.logging)?;
    let shutdown = chat_runtime::shutdown::on_signal();
    Application::build(cfg)
        .await?
        .run_until_stopped(shutdown)
        .await
}
