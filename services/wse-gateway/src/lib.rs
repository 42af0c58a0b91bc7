//! wse-gateway: pushes chat events over WebSockets to exactly the users allowed to see
//! them, with typing indicators, resume and back-pressure.
//!
//! - [`config`]: flags and environment.
//! - [`protocol`]: frames, client messages and close codes (the wire contract).
//! - [`limits`]: connections per user, the rate of client frames.
//! - [`membership`]: who may see which chat version (pure rules).
//! - [`metrics`]: connections, routed events and dropped clients, for Prometheus.
//! - [`replay`]: the bounded per-chat replay buffer (pure).
//! - [`hub`]: the registry of connections; routes events, resumes, typing.
//! - [`participants`]: the participant read model, read at connect.
//! - [`events`]: the `chat.events` consumer feeding the hub.
//! - [`ports`]: the edges (membership authority, event source) as `dyn` ports.
//! - [`downloads`]: the download URLs of media messages' files in their frames.
//! - [`typing_relay`]: typing signals between replicas over Kafka.
//! - [`ws`]: the `/wse` endpoint and the per-connection task.
//! - [`Application`]: wires it all and serves until the shutdown token fires.
//! - `testing` (feature `testing`): the gateway over memory, for tests with no server.

pub mod config;
pub mod downloads;
pub mod events;
pub mod hub;
pub mod limits;
pub mod membership;
pub mod metrics;
pub mod participants;
pub mod ports;
pub mod protocol;
pub mod replay;
#[cfg(feature = "testing")]
pub mod testing;
pub mod typing_relay;
pub mod ws;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use actix_web::{App, HttpServer, web};
use anyhow::Context;
use chat_auth::Authenticator;
use chat_kafka::{ConsumerSettings, EventConsumer, StartFrom};
use chat_media::MediaStore;
use chat_runtime::health::{self, Readiness};
use chat_runtime::{connect, ops};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

pub use config::Config;

use crate::downloads::DownloadSigner;
use crate::events::HubFeed;
use crate::hub::{Hub, HubSettings};
use crate::limits::UserConnections;
use crate::participants::ParticipantDirectory;
use crate::ports::{EventSource, KafkaEvents, MembershipSource};
use crate::typing_relay::{TypingListener, TypingRelay};
use crate::ws::{Gateway, SessionSettings};

/// A wse-gateway bound to its port, with its dependencies connected.
pub struct Application {
    server: actix_web::dev::Server,
    addr: SocketAddr,
    hub: Arc<Hub>,
    events: Box<dyn EventSource>,
    typing: Option<TypingListener>,
    downloads: Option<DownloadSigner>,
    stop: CancellationToken,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Application {
    /// Connects to the dependencies, subscribes to the events (in a consumer group of
    /// its own) and binds the HTTP listener.
    ///
    /// # Errors
    /// When the auth config is incomplete, a dependency does not answer, or the address
    /// cannot be bound.
    pub async fn build(cfg: Config) -> anyhow::Result<Self> {
        Self::build_with_media(cfg, None).await
    }

    /// [`Self::build`] on the object store `media` (tests: a
    /// [`chat_media::MemoryMediaStore`]) instead of the configured one.
    ///
    /// # Errors
    /// As [`Self::build`].
    pub async fn build_with_media(
        cfg: Config,
        media: Option<Arc<dyn MediaStore>>,
    ) -> anyhow::Result<Self> {
        let media = match media {
            Some(store) => Some(store),
            None => configured_media_store(&cfg)?,
        };
        let auth = Authenticator::from_config(&cfg.auth)?;
        let timeout = Duration::from_millis(cfg.ready_timeout_ms);
        let pool = connect::postgres(&cfg.pg).await?;
        let readiness = Readiness::default()
            .postgres(pool.clone(), timeout)
            .kafka(cfg.kafka.clone(), timeout);
        let client = connect::kafka_client_config(&cfg.kafka);
        let consumer = EventConsumer::new(
            &client,
            ConsumerSettings {
                // Every replica sees every event: all partitions assigned to it from
                // their end now, so nothing produced once it is ready is skipped; no
                // commits. The id only labels its metrics.
                group_id: format!("wse-gateway-{}", uuid::Uuid::new_v4()),
                topic: cfg.kafka.events_topic.clone(),
                start: StartFrom::Latest,
                commit: false,
                retry_backoff: Duration::from_millis(200),
                // Routing an event never waits: one lane keeps up.
                lanes: 1,
            },
            None,
        )
        .context("cannot subscribe to the events topic")?;
        let typing = &cfg.gateway.typing_topic;
        let relay = if typing.is_empty() {
            None
        } else {
            let pair = typing_relay::connect(&client, typing)
                .await
                .context("cannot set up the typing topic")?;
            Some(pair)
        };
        let edges = Edges {
            auth,
            directory: Arc::new(ParticipantDirectory::new(pool)),
            events: Box::new(KafkaEvents(consumer)),
            readiness,
            relay,
            media,
        };
        Self::build_on(&cfg, edges)
    }

    /// Wires the WebSocket app over `edges` and binds the HTTP listener: what
    /// production and the memory gateway share.
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub(crate) fn build_on(cfg: &Config, edges: Edges) -> anyhow::Result<Self> {
        let downloads = edges
            .media
            .map(|store| DownloadSigner::new(store, cfg.gateway.download_url_ttl()));
        let g = &cfg.gateway;
        let hub = Arc::new(Hub::new(HubSettings {
            replay_per_chat: g.replay_buffer,
            replay_bytes: g.replay_memory_mb.saturating_mul(1 << 20),
            connection_buffer: g.connection_buffer,
            typing_interval: g.typing_interval(),
        }));
        let (relay, typing) = edges.relay.unzip();
        let stop = CancellationToken::new();
        let ready = edges.readiness.watch(health::REFRESH_EVERY, stop.clone());
        let gateway = web::Data::new(Gateway {
            hub: Arc::clone(&hub),
            auth: edges.auth,
            directory: edges.directory,
            limit: Arc::new(Semaphore::new(g.max_connections)),
            users: UserConnections::new(g.max_connections_per_user),
            relay,
            session: SessionSettings {
                heartbeat: g.heartbeat(),
                idle_timeout: g.idle_timeout(),
                resume_wait: g.resume_wait(),
                frames: g.frame_limits(),
            },
            shutdown: stop.clone(),
        });
        let listener = std::net::TcpListener::bind(cfg.http_addr)
            .with_context(|| format!("cannot listen on {}", cfg.http_addr))?;
        let addr = listener.local_addr()?;
        let server = HttpServer::new(move || {
            App::new()
                .wrap(actix_web::middleware::from_fn(
                    chat_runtime::metrics::track_http,
                ))
                .configure(health::configure(ready.clone()))
                .configure(ws::configure(gateway.clone()))
        })
        // A socket the gateway closed lingers, reading and dropping what the client still
        // sends, until the client closes its end (at most the close linger; actix's
        // default is one second): see `GatewayConfig::close_linger_ms`.
        .client_disconnect_timeout(g.close_linger())
        .disable_signals()
        .listen(listener)?
        .run();
        Ok(Self {
            server,
            addr,
            hub,
            events: edges.events,
            typing,
            downloads,
            stop,
        })
    }

    /// The address actually bound (useful with port 0 in tests).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The routing state, for its counters.
    pub fn hub(&self) -> Arc<Hub> {
        Arc::clone(&self.hub)
    }

    /// Serves until `shutdown` fires: then every connection gets a close frame (1012,
    /// reconnect with resume), the consumers leave their groups, and the server stops.
    ///
    /// # Errors
    /// When the HTTP server fails.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        tracing::info!(addr = %self.addr, "wse-gateway listening");
        let stop = self.stop.clone();
        let feed = HubFeed::new(Arc::clone(&self.hub), self.downloads);
        let events = tokio::spawn(self.events.run(feed, stop.clone()));
        let typing = self
            .typing
            .map(|listener| tokio::spawn(listener.run(Arc::clone(&self.hub), stop.clone())));
        tokio::spawn({
            let stop = stop.clone();
            async move {
                shutdown.cancelled().await;
                stop.cancel();
            }
        });
        ops::run_until_stopped(self.server, stop).await?;
        events.await.context("the events consumer panicked")?;
        if let Some(typing) = typing {
            typing.await.context("the typing listener panicked")?;
        }
        Ok(())
    }
}

/// What the WebSocket app stands on: production connects the servers, the memory
/// gateway hands in memory adapters.
pub(crate) struct Edges {
    /// Verifies tokens.
    pub(crate) auth: Authenticator,
    /// Memberships at connect.
    pub(crate) directory: Arc<dyn MembershipSource>,
    /// The chat events.
    pub(crate) events: Box<dyn EventSource>,
    /// What `/readyz` probes.
    pub(crate) readiness: Readiness,
    /// Typing signals to and from the other replicas, when configured.
    pub(crate) relay: Option<(TypingRelay, TypingListener)>,
    /// The object store download URLs are signed on, when there is one.
    pub(crate) media: Option<Arc<dyn MediaStore>>,
}

/// The object store the configuration names (`S3_*`), `None` when it names none.
///
/// # Errors
/// When the configuration is incomplete (a setting missing, a malformed endpoint).
fn configured_media_store(cfg: &Config) -> anyhow::Result<Option<Arc<dyn MediaStore>>> {
    if !cfg.s3.is_set() {
        return Ok(None);
    }
    let store = chat_media::S3MediaStore::new(&cfg.s3).context("cannot set up the object store")?;
    Ok(Some(Arc::new(store)))
}
