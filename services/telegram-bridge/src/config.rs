//! telegram-bridge configuration: flags or environment variables. Secrets (tokens, the
//! API hash, the JWT secret) are `SecretString`s: `Debug` and logs show `[REDACTED]`.

use std::convert::Infallible;
use std::num::NonZeroUsize;
use std::path::PathBuf;

use chat_media::S3Config;
use chat_runtime::config::{KafkaConfig, LoggingConfig, OpsConfig, PgConfig};
use secrecy::SecretString;

/// Everything telegram-bridge needs to start.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "telegram-bridge", version, about)]
pub struct Config {
    /// Logging.
    #[command(flatten)]
    pub logging: LoggingConfig,
    /// Health and readiness endpoints.
    #[command(flatten)]
    pub ops: OpsConfig,
    /// The bridge's links and message id mapping.
    #[command(flatten)]
    pub pg: PgConfig,
    /// Where the chat events come from.
    #[command(flatten)]
    pub kafka: KafkaConfig,
    /// Where Telegram's messages go.
    #[command(flatten)]
    pub command_api: CommandApiConfig,
    /// The Telegram account.
    #[command(flatten)]
    pub telegram: TelegramConfig,
    /// The object store of media messages' files (`S3_*`); without it, files are not
    /// copied either way: placeholders say what they were.
    #[command(flatten)]
    pub media: S3Config,
    /// Kafka consumer group of the outbound side (one per deployment, shared by replicas).
    #[arg(long, env = "BRIDGE_CONSUMER_GROUP", default_value = "telegram-bridge")]
    pub consumer_group: String,
    /// First wait before retrying a failed step, in milliseconds (doubles up to 5 s).
    #[arg(long, env = "BRIDGE_RETRY_BACKOFF_MS", default_value_t = 200)]
    pub retry_backoff_ms: u64,
    /// How often every linked group is checked for the bot's membership and privacy
    /// mode, in seconds (also at start and when a link is learned).
    #[arg(long, env = "TELEGRAM_ACCESS_CHECK_EVERY_S", default_value_t = 3600)]
    pub telegram_access_check_every_s: u64,
}

/// How the bridge reaches command-api and proves it is the bridge.
#[derive(Debug, Clone, clap::Args)]
pub struct CommandApiConfig {
    /// Base URL of command-api, e.g. `http://command-api:8080`.
    #[arg(long, env = "COMMAND_API_URL")]
    pub command_api_url: String,
    /// A ready-made bearer token of the bridge's service identity (else one is minted
    /// from `--jwt-hs256-secret`).
    #[arg(long, env = "BRIDGE_SERVICE_TOKEN", hide_env_values = true, value_parser = secret)]
    pub service_token: Option<SecretString>,
    /// The HS256 secret command-api verifies JWTs with, to mint the service token.
    #[arg(long, env = "JWT_HS256_SECRET", hide_env_values = true, value_parser = secret)]
    pub jwt_hs256_secret: Option<SecretString>,
    /// The service name in the minted token's `service` claim (command-api must trust it).
    #[arg(
        long,
        env = "BRIDGE_SERVICE_IDENTITY",
        default_value = "telegram-bridge"
    )]
    pub service_identity: String,
}

/// Which Telegram the bridge talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TelegramMode {
    /// Telegram itself, over MTProto (grammers).
    Real,
    /// An in-memory Telegram, for local development only.
    Fake,
}

/// The Telegram account the bridge acts as.
#[derive(Debug, Clone, clap::Args)]
pub struct TelegramConfig {
    /// `real` (MTProto) or `fake` (in memory, local development only; driven over HTTP
    /// at `/fake-telegram/` on the operations port).
    #[arg(long, env = "TELEGRAM_MODE", value_enum, default_value_t = TelegramMode::Real)]
    pub telegram_mode: TelegramMode,
    /// The application's API id (my.telegram.org).
    #[arg(long, env = "TELEGRAM_API_ID")]
    pub telegram_api_id: Option<i32>,
    /// The application's API hash.
    #[arg(long, env = "TELEGRAM_API_HASH", hide_env_values = true, value_parser = secret)]
    pub telegram_api_hash: Option<SecretString>,
    /// A bot token; without it the session file must already hold a signed-in user.
    #[arg(long, env = "TELEGRAM_BOT_TOKEN", hide_env_values = true, value_parser = secret)]
    pub telegram_bot_token: Option<SecretString>,
    /// Where the MTProto session (auth key, update position) is kept; a secret, mode 0600.
    #[arg(
        long,
        env = "TELEGRAM_SESSION_FILE",
        default_value = "telegram-bridge.session"
    )]
    pub telegram_session_file: PathBuf,
    /// How many Telegram updates are read ahead of their handling (and how many update
    /// batches grammers holds before that): a backlog past both is dropped by grammers.
    #[arg(long, env = "TELEGRAM_UPDATE_BUFFER", default_value_t = NonZeroUsize::new(10_000).expect("not zero"))]
    pub telegram_update_buffer: NonZeroUsize,
    /// The longest a session change that need not be durable at once (a cached peer)
    /// waits to be written with the others, in milliseconds.
    #[arg(long, env = "TELEGRAM_SESSION_WRITE_DELAY_MS", default_value_t = 1000)]
    pub telegram_session_write_delay_ms: u64,
}

#[allow(clippy::unnecessary_wraps)] // clap's value_parser signature
fn secret(value: &str) -> Result<SecretString, Infallible> {
    Ok(SecretString::from(value))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[test]
    fn secrets_never_show_in_debug_output() {
        let cfg = Config::parse_from([
            "telegram-bridge",
            "--ops-addr=127.0.0.1:0",
            "--database-url=postgres://x",
            "--kafka-brokers=k:9092",
            "--command-api-url=http://c",
            "--jwt-hs256-secret=jwt-secret-value",
            "--telegram-api-hash=api-hash-value",
            "--telegram-bot-token=bot-token-value",
        ]);
        let shown = format!("{cfg:?}");
        for secret in ["jwt-secret-value", "api-hash-value", "bot-token-value"] {
            assert!(!shown.contains(secret), "{secret} leaked");
        }
        assert_eq!(cfg.telegram.telegram_mode, TelegramMode::Real);
    }
}
