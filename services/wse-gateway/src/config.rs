//! wse-gateway configuration: flags or environment variables.

use std::net::SocketAddr;
use std::time::Duration;

use chat_auth::AuthConfig;
use chat_runtime::config::{KafkaConfig, LoggingConfig, PgConfig};
use chat_runtime::limits::Budget;

use crate::limits::FrameLimits;

/// Everything wse-gateway needs to start.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "wse-gateway", version, about)]
pub struct Config {
    /// Address serving `/wse` (the WebSocket), `/healthz`, `/readyz` and `/metrics`.
    #[arg(long, env = "HTTP_ADDR", default_value = "127.0.0.1:8081")]
    pub http_addr: SocketAddr,
    /// Logging.
    #[command(flatten)]
    pub logging: LoggingConfig,
    /// The participant read model (membership at connect).
    #[command(flatten)]
    pub pg: PgConfig,
    /// Where the chat events come from.
    #[command(flatten)]
    pub kafka: KafkaConfig,
    /// How clients are authenticated (the same tokens as command-api).
    #[command(flatten)]
    pub auth: AuthConfig,
    /// Buffers, heartbeats and limits.
    #[command(flatten)]
    pub gateway: GatewayConfig,
    /// The object store of media (`S3_*`), to sign download URLs; unset, frames carry
    /// files without one.
    #[command(flatten)]
    pub s3: chat_media::S3Config,
    /// How long a readiness probe waits for each dependency, in milliseconds.
    #[arg(long, env = "READY_TIMEOUT_MS", default_value_t = 2000)]
    pub ready_timeout_ms: u64,
}

/// Buffers, heartbeats and limits of the WebSocket side.
#[derive(Debug, Clone, clap::Args)]
pub struct GatewayConfig {
    /// Event frames kept per chat so a reconnecting client gets what it missed; older
    /// gaps are answered with `resync`.
    #[arg(long, env = "REPLAY_BUFFER", default_value_t = 256)]
    pub replay_buffer: usize,
    /// Memory all replay buffers together hold at most, in MiB of frame text; the
    /// least recently active chats' buffers are dropped first.
    #[arg(long, env = "REPLAY_MEMORY_MB", default_value_t = 128)]
    pub replay_memory_mb: usize,
    /// Frames queued per connection; a client that falls this far behind is
    /// disconnected (close 1013) and resumes.
    #[arg(long, env = "CONNECTION_BUFFER", default_value_t = 256)]
    pub connection_buffer: usize,
    /// How often the server pings each client, in milliseconds.
    #[arg(long, env = "HEARTBEAT_MS", default_value_t = 15_000)]
    pub heartbeat_ms: u64,
    /// A client heard from (any frame, pongs included) less recently than this is
    /// disconnected (close 4408), in milliseconds.
    #[arg(long, env = "IDLE_TIMEOUT_MS", default_value_t = 45_000)]
    pub idle_timeout_ms: u64,
    /// How long a socket the gateway closed stays open, reading and dropping what the
    /// client still sends, for the client to read the frames queued before the close
    /// frame and close its end, in milliseconds. Closed sooner, a pong from a client
    /// still reading would meet a closed socket, whose reset drops what it had not read.
    #[arg(long, env = "CLOSE_LINGER_MS", default_value_t = 10_000)]
    pub close_linger_ms: u64,
    /// How long a resume waits for this replica to catch up with the version the client
    /// saw (it may lag the replica the client came from), in milliseconds; after that
    /// the client gets `resync` for that chat.
    #[arg(long, env = "RESUME_WAIT_MS", default_value_t = 2000)]
    pub resume_wait_ms: u64,
    /// Open connections at most; further upgrades answer 503.
    // Its own id: `max_connections` is PostgreSQL's pool size in the same command.
    #[arg(
        id = "max_ws_connections",
        long = "max-connections",
        env = "MAX_CONNECTIONS",
        default_value_t = 10_000
    )]
    pub max_connections: usize,
    /// Open connections of one user on this replica at most (one account cannot take
    /// every slot); further upgrades answer 429.
    #[arg(long, env = "MAX_CONNECTIONS_PER_USER", default_value_t = 10)]
    pub max_connections_per_user: usize,
    /// Client frames (typing, resume, pings) one connection may send per second,
    /// sustained; over it a frame is refused with a `rate_limited` error frame.
    #[arg(long, env = "FRAME_RATE_PER_S", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..))]
    pub frame_rate_per_s: u32,
    /// Client frames one connection may send at once before the sustained rate applies.
    #[arg(long, env = "FRAME_BURST", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..))]
    pub frame_burst: u32,
    /// Refused frames a connection may send (one more forgiven each second) before it
    /// is closed with 4429.
    #[arg(long, env = "FRAME_REFUSALS", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    pub frame_refusals: u32,
    /// Largest client frame (or message of continuation frames), in bytes; a larger one
    /// closes the connection with 1009. A resume of a thousand chats is about 50 KB.
    #[arg(long, env = "MAX_FRAME_BYTES", default_value_t = 64 * 1024)]
    pub max_frame_bytes: usize,
    /// Shortest time between two relayed typing signals of one user in one chat, in
    /// milliseconds; more frequent ones are dropped.
    #[arg(long, env = "TYPING_INTERVAL_MS", default_value_t = 2000)]
    pub typing_interval_ms: u64,
    /// How long the download URL in a media message's frame works, in seconds.
    #[arg(long, env = "DOWNLOAD_URL_TTL_S", default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..))]
    pub download_url_ttl_s: u64,
    /// The Kafka topic relaying typing signals between replicas (created if missing,
    /// short retention). Empty: typing stays on this replica.
    #[arg(long, env = "TYPING_TOPIC", default_value = "chat.typing")]
    pub typing_topic: String,
}

impl GatewayConfig {
    /// The ping interval.
    pub fn heartbeat(&self) -> Duration {
        Duration::from_millis(self.heartbeat_ms.max(1))
    }

    /// The idle timeout.
    pub fn idle_timeout(&self) -> Duration {
        Duration::from_millis(self.idle_timeout_ms.max(1))
    }

    /// How long a closed socket lingers for its client.
    pub fn close_linger(&self) -> Duration {
        Duration::from_millis(self.close_linger_ms)
    }

    /// The longest wait of a resume for this replica to catch up.
    pub fn resume_wait(&self) -> Duration {
        Duration::from_millis(self.resume_wait_ms)
    }

    /// The typing rate limit.
    pub fn typing_interval(&self) -> Duration {
        Duration::from_millis(self.typing_interval_ms)
    }

    /// How long a frame's download URL works.
    #[must_use]
    pub const fn download_url_ttl(&self) -> Duration {
        Duration::from_secs(self.download_url_ttl_s)
    }

    /// The budgets of each connection's client frames.
    pub fn frame_limits(&self) -> FrameLimits {
        FrameLimits {
            frames: Budget::per_second(self.frame_rate_per_s, self.frame_burst),
            refusals: Budget::per_second(1, self.frame_refusals),
            max_bytes: self.max_frame_bytes,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::Config;

    #[test]
    fn the_command_line_is_consistent_and_has_defaults() {
        Config::command().debug_assert();
        let cfg = Config::parse_from([
            "wse-gateway",
            "--database-url=postgres://x/y",
            "--kafka-brokers=k:9092",
            "--max-connections=3",
        ]);
        assert_eq!(cfg.http_addr.to_string(), "127.0.0.1:8081");
        assert_eq!(cfg.gateway.max_connections, 3);
        assert_eq!(cfg.gateway.typing_topic, "chat.typing");
        assert_eq!(cfg.gateway.max_connections_per_user, 10);
        let frames = cfg.gateway.frame_limits();
        assert_eq!(frames.frames.burst(), 30);
        assert_eq!(
            frames.frames.period(),
            std::time::Duration::from_millis(100)
        );
        assert_eq!(frames.refusals.burst(), 20);
        assert_eq!(frames.max_bytes, 65_536);
    }
}
