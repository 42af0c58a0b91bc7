//! command-api configuration: flags or environment variables.

use std::net::SocketAddr;

use chat_auth::AuthConfig;
use chat_runtime::config::{CqlConfig, KafkaConfig, LoggingConfig, PgConfig};

use crate::dev::DevConfig;

/// Everything command-api needs to start.
#[derive(Debug, Clone, clap::Parser)]
// A flag given twice takes the last value, so a harness can put defaults before the
// caller's flags.
#[command(name = "command-api", version, about, args_override_self = true)]
pub struct Config {
    /// Address the REST API (and its health endpoints) listen on.
    #[arg(long, env = "HTTP_ADDR", default_value = "127.0.0.1:8080")]
    pub http_addr: SocketAddr,
    /// Logging.
    #[command(flatten)]
    pub logging: LoggingConfig,
    /// The event store, outbox and relational read models.
    #[command(flatten)]
    pub pg: PgConfig,
    /// Where the outbox relay publishes events.
    #[command(flatten)]
    pub kafka: KafkaConfig,
    /// The message and read-status read models.
    #[command(flatten)]
    pub cql: CqlConfig,
    /// Authentication.
    #[command(flatten)]
    pub auth: AuthConfig,
    /// Commands and the outbox relay.
    #[command(flatten)]
    pub write: WritePathConfig,
    /// Read-your-writes.
    #[command(flatten)]
    pub read: ReadPathConfig,
    /// Rate limits and participant caps.
    #[command(flatten)]
    pub limits: LimitsConfig,
    /// The link-time check of the Telegram bot's access.
    #[command(flatten)]
    pub telegram: TelegramCheckConfig,
    /// Media messages: how long upload and download URLs work.
    #[command(flatten)]
    pub media: MediaConfig,
    /// The object store of media (`S3_*`); unset, media messages answer 503.
    #[command(flatten)]
    pub s3: chat_media::S3Config,
    /// How long a readiness probe waits for each dependency, in milliseconds.
    #[arg(long, env = "READY_TIMEOUT_MS", default_value_t = 2000)]
    pub ready_timeout_ms: u64,
    /// Development-only helpers (`make run`), all off by default.
    #[command(flatten)]
    pub dev: DevConfig,
}

/// Where the Telegram bridge answers whether its bot can serve a group (asked before a
/// chat is linked).
#[derive(Debug, Clone, clap::Args)]
pub struct TelegramCheckConfig {
    /// The bridge's operations address, e.g. `http://telegram-bridge:9090`; unset, links
    /// are not checked (no bridge deployed).
    #[arg(long, env = "TELEGRAM_BRIDGE_URL")]
    pub telegram_bridge_url: Option<String>,
    /// How long the check may take, in milliseconds (then the link answers 503).
    #[arg(long, env = "TELEGRAM_BRIDGE_TIMEOUT_MS", default_value_t = 5000)]
    pub telegram_bridge_timeout_ms: u64,
}

/// How long the pre-signed URLs of media messages work.
#[derive(Debug, Clone, clap::Args)]
pub struct MediaConfig {
    /// How long an upload's PUT URL works, in seconds; a send must take the upload
    /// before then.
    #[arg(long, env = "UPLOAD_URL_TTL_S", default_value_t = 900, value_parser = clap::value_parser!(u64).range(1..))]
    pub upload_url_ttl_s: u64,
    /// How long a download URL in history, single messages and socket frames works, in
    /// seconds.
    #[arg(long, env = "DOWNLOAD_URL_TTL_S", default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..))]
    pub download_url_ttl_s: u64,
}

impl MediaConfig {
    /// The media service's settings.
    #[must_use]
    pub const fn settings(&self) -> crate::media::MediaSettings {
        crate::media::MediaSettings {
            upload_ttl: std::time::Duration::from_secs(self.upload_url_ttl_s),
            download_ttl: std::time::Duration::from_secs(self.download_url_ttl_s),
        }
    }
}

/// How commands are run and their events relayed.
#[derive(Debug, Clone, clap::Args)]
pub struct WritePathConfig {
    /// How many times a command is decided before a lost version race answers 409.
    #[arg(long, env = "MAX_COMMAND_ATTEMPTS", default_value_t = 5)]
    pub max_command_attempts: u32,
    /// A chat's state is snapshotted each time its version crosses a multiple of this.
    #[arg(long, env = "SNAPSHOT_EVERY", default_value_t = 100)]
    pub snapshot_every: u64,
    /// Memory for chat states kept between commands, in MiB (least recently used out
    /// first; 0 reloads every chat for every command).
    #[arg(long, env = "STATE_CACHE_MB", default_value_t = 64)]
    pub state_cache_mb: usize,
    /// Most decisions of different chats stored by one transaction (group commit).
    #[arg(long, env = "GROUP_COMMIT_MAX_BATCH", default_value_t = 128)]
    pub group_commit_max_batch: usize,
    /// Group-commit transactions in flight at once (each holds a connection).
    #[arg(long, env = "GROUP_COMMIT_COMMITTERS", default_value_t = 2)]
    pub group_commit_committers: usize,
    /// Outbox rows the relay publishes per round.
    #[arg(long, env = "RELAY_BATCH_SIZE", default_value_t = 500)]
    pub relay_batch_size: i64,
    /// How often the relay looks at the outbox when no append woke it, in milliseconds.
    #[arg(long, env = "RELAY_POLL_MS", default_value_t = 250)]
    pub relay_poll_ms: u64,
    /// Published outbox rows are deleted once this old, in hours (the events table keeps
    /// every event).
    #[arg(long, env = "OUTBOX_RETENTION_HOURS", default_value_t = 24)]
    pub outbox_retention_hours: u64,
    /// Idempotency keys are deleted once this old, in hours: a retry with the same key
    /// after that sends a new message.
    #[arg(long, env = "IDEMPOTENCY_KEY_TTL_HOURS", default_value_t = 24)]
    pub idempotency_key_ttl_hours: u64,
    /// Time between two housekeeping sweeps, in seconds.
    #[arg(long, env = "HOUSEKEEPING_INTERVAL_S", default_value_t = 600)]
    pub housekeeping_interval_s: u64,
}

impl WritePathConfig {
    /// The command service's settings, with the per-chat participant cap of `limits`.
    #[must_use]
    pub fn command_settings(&self, limits: &LimitsConfig) -> crate::app::CommandSettings {
        crate::app::CommandSettings {
            max_attempts: self.max_command_attempts.max(1),
            snapshot_every: self.snapshot_every,
            cache_bytes: self.state_cache_mb.saturating_mul(1 << 20),
            group_commit: crate::group_commit::GroupCommitSettings {
                max_batch: self.group_commit_max_batch,
                committers: self.group_commit_committers,
            },
            max_participants: limits.max_participants_per_chat,
        }
    }

    /// The housekeeping retention.
    #[must_use]
    pub const fn retention(&self) -> crate::housekeeping::Retention {
        const HOUR: u64 = 3600;
        crate::housekeeping::Retention {
            outbox: std::time::Duration::from_secs(
                self.outbox_retention_hours.saturating_mul(HOUR),
            ),
            idempotency_keys: std::time::Duration::from_secs(
                self.idempotency_key_ttl_hours.saturating_mul(HOUR),
            ),
            every: std::time::Duration::from_secs(self.housekeeping_interval_s),
        }
    }
}

/// Per-user rate limits (answered 429 with `Retry-After`) and participant caps. The
/// defaults fit people: Discord allows about 5 messages per 5 s per channel, Slack about
/// one per second per channel with bursts; a user here writes to all their chats from one
/// bucket.
#[derive(Debug, Clone, clap::Args)]
pub struct LimitsConfig {
    /// Writes (every non-GET request under /api) a user may make per second, sustained.
    #[arg(long, env = "WRITE_RATE_PER_S", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub write_rate_per_s: u32,
    /// Writes a user may make at once before the sustained rate applies.
    #[arg(long, env = "WRITE_BURST", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    pub write_burst: u32,
    /// Writes per second, sustained, of each trusted service identity (the Telegram
    /// bridge speaks for every member of its linked groups).
    #[arg(long, env = "SERVICE_WRITE_RATE_PER_S", default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..))]
    pub service_write_rate_per_s: u32,
    /// Writes a trusted service identity may make at once.
    #[arg(long, env = "SERVICE_WRITE_BURST", default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    pub service_write_burst: u32,
    /// Chats a user may create per window (`CHAT_CREATE_WINDOW_S`), all at once if they
    /// like; one more comes back every window / this many.
    #[arg(long, env = "CHAT_CREATES_PER_WINDOW", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    pub chat_creates_per_window: u32,
    /// The chat-creation window, in seconds.
    #[arg(long, env = "CHAT_CREATE_WINDOW_S", default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..))]
    pub chat_create_window_s: u64,
    /// Participants one create may list (more answer 422 `too_many_participants`).
    #[arg(long, env = "MAX_PARTICIPANTS_PER_REQUEST", default_value_t = 100)]
    pub max_participants_per_request: usize,
    /// Active participants a chat may have (a create or add beyond answers 409
    /// `chat_full`).
    #[arg(long, env = "MAX_PARTICIPANTS_PER_CHAT", default_value_t = crate::app::DEFAULT_MAX_PARTICIPANTS)]
    pub max_participants_per_chat: usize,
}

/// How writes become readable.
#[derive(Debug, Clone, clap::Args)]
pub struct ReadPathConfig {
    /// How long a command that produced SYNC events waits for projector-sync to apply
    /// them before answering 202 (accepted, not yet visible) instead of 201/200, in
    /// milliseconds.
    #[arg(long, env = "SYNC_WAIT_MS", default_value_t = 5000)]
    pub sync_wait_ms: u64,
}
