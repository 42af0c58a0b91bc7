//! command-api: the REST face of the chat backend.
//!
//! - [`config`]: flags and environment.
//! - [`app`]: the command service (load, decide, append, retry a lost race).
//! - [`state_cache`]: chat states kept in memory between commands, bounded by bytes.
//! - [`group_commit`]: appends of different chats sharing one transaction.
//! - [`ports`] and [`adapters`]: the event store with its outbox and message index
//!   (PostgreSQL, memory).
//! - [`relay`]: publishes the outbox to Kafka, in order.
//! - [`housekeeping`]: deletes published outbox rows and expired idempotency keys.
//! - [`metrics`]: command outcomes and the outbox backlog, for Prometheus.
//! - [`write_metrics`]: the state cache and group commit, for Prometheus.
//! - [`telegram_access`]: asks the Telegram bridge, before a link, whether its bot can
//!   serve the group.
//! - [`media`]: uploads of media messages, their checks, download URLs, and the
//!   housekeeping of objects nobody may reach.
//! - [`limits`]: per-caller rate limits on writes and chat creation, the participant cap
//!   per request.
//! - [`http`]: the REST routes (commands, and queries over the read models of
//!   `chat-read-model`) and the error shape.
//! - [`dev`]: development-only helpers (the web client, demo tokens), off by default.
//! - [`Application`]: wires it all, then serves HTTP until the shutdown token fires.
//! - `testing` (feature `testing`): command-api in process for tests: on the servers, or
//!   over memory with no server at all (`testing::memory`).

pub mod adapters;
pub mod app;
pub mod config;
pub mod dev;
pub mod group_commit;
pub mod housekeeping;
pub mod http;
pub mod limits;
pub mod media;
pub mod metrics;
pub mod ports;
pub mod relay;
pub mod state_cache;
pub mod telegram_access;
#[cfg(feature = "testing")]
pub mod testing;
pub mod write_metrics;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use actix_web::{HttpServer, web};
use anyhow::Context;
use chat_auth::Authenticator;
use chat_read_model::cql::CqlReadModels;
use chat_read_model::pg::PgReadModels;
use chat_read_model::pg::applied::AppliedWaiter;
use chat_runtime::health::{self, Readiness};
use chat_runtime::{connect, ops};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::adapters::pg::{PgEventStore, PgMembers};
use crate::app::CommandService;
use crate::dev::DevTools;
use crate::housekeeping::Housekeeper;
use crate::http::mount::RouteData;
use crate::http::read::ReadSide;
use crate::http::state::ApiState;
use crate::limits::WriteLimits;
use crate::media::MediaService;
use crate::media::sweep::MediaSweep;
use crate::media::uploads::PgUploads;
use crate::ports::erased::SharedEventStore;
use crate::relay::{OutboxRelay, RelaySettings};
use crate::telegram_access::TelegramAccessCheck;
use chat_media::MediaStore;
pub use config::Config;

/// A command-api bound to its port, with its dependencies connected.
pub struct Application {
    server: actix_web::dev::Server,
    addr: SocketAddr,
    relay: OutboxRelay,
    housekeeper: Housekeeper,
    /// The media sweep and what wakes it, when an object store is configured.
    media_sweep: Option<(MediaSweep, Arc<Notify>)>,
    /// Time between two housekeeping sweeps (the media sweep's too).
    housekeeping_every: Duration,
    /// Stops the background tasks (the applied-projection listener, housekeeping, the
    /// readiness refresh).
    background: CancellationToken,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Application {
    /// Connects to the dependencies and binds the HTTP listener.
    ///
    /// # Errors
    /// When the auth config is incomplete, a dependency does not answer, or the address
    /// cannot be bound.
    pub async fn build(cfg: Config) -> anyhow::Result<Self> {
        Self::build_with_media(cfg, None).await
    }

    /// [`Self::build`] on the object store `media` (tests: a [`chat_media::MemoryMediaStore`])
    /// instead of the configured one.
    ///
    /// # Errors
    /// As [`Self::build`].
    pub async fn build_with_media(
        cfg: Config,
        media: Option<Arc<dyn MediaStore>>,
    ) -> anyhow::Result<Self> {
        let timeout = Duration::from_millis(cfg.ready_timeout_ms);
        let authenticator = web::Data::new(Authenticator::from_config(&cfg.auth)?);
        let dev = DevTools::from_config(&cfg.dev, &cfg.auth)?;
        for helper in dev.enabled() {
            tracing::warn!(
                helper,
                "development-only helper enabled: never in production"
            );
        }
        let pool = connect::postgres(&cfg.pg).await?;
        let cql = Arc::new(connect::cql(&cfg.cql).await?);
        let background = CancellationToken::new();
        let read_models = PgReadModels::new(pool.clone());
        let read_side = web::Data::new(ReadSide {
            members: Arc::new(PgMembers::new(pool.clone())),
            chats: Arc::new(read_models.clone()),
            edits: Arc::new(read_models.clone()),
            search: Arc::new(read_models),
            messages: Arc::new(
                CqlReadModels::new(Arc::clone(&cql), &cfg.cql.keyspace)
                    .await
                    .context("cannot prepare the CQL queries (is the schema applied?)")?,
            ),
            applied: Arc::new(AppliedWaiter::start(pool.clone(), background.clone())),
            sync_wait: Duration::from_millis(cfg.read.sync_wait_ms),
        });
        // Ready means "can take commands": PostgreSQL holds the events and the outbox.
        // Kafka being away only delays publishing (events wait in the outbox), and the CQL
        // store only serves history reads, so neither takes the pod out of service.
        let ready = Readiness::default()
            .postgres(pool.clone(), timeout)
            .watch(health::REFRESH_EVERY, background.clone());
        let settings = cfg.write.command_settings(&cfg.limits);
        let write_limits = web::Data::new(WriteLimits::new(&cfg.limits));
        let telegram_access = web::Data::new(
            TelegramAccessCheck::from_config(&cfg.telegram)
                .context("cannot build the Telegram bridge client")?,
        );
        let state = web::Data::new(ApiState::new(CommandService::new(
            SharedEventStore::new(PgEventStore::new(pool.clone())),
            settings,
        )));
        let media_store = match media {
            Some(store) => Some(store),
            None => configured_media_store(&cfg)?,
        };
        let media_sweep = media_store
            .as_ref()
            .map(|store| MediaSweep::new(pool.clone(), Arc::clone(store)));
        if media_store.is_none() {
            tracing::warn!("no object store configured: media messages answer 503");
        }
        let media = web::Data::new(MediaService::new(
            media_store,
            Arc::new(PgUploads::new(pool.clone())),
            cfg.media.settings(),
        ));
        let housekeeper = Housekeeper::new(pool.clone(), cfg.write.retention());
        let media_sweep = media_sweep.map(|sweep| (sweep, media.released()));
        let relay = OutboxRelay::new(
            pool,
            &connect::kafka_client_config(&cfg.kafka),
            RelaySettings {
                topic: cfg.kafka.events_topic.clone(),
                batch_size: cfg.write.relay_batch_size.max(1),
                poll_interval: Duration::from_millis(cfg.write.relay_poll_ms.max(1)),
            },
        )
        .context("cannot create the Kafka producer")?;
        let listener = std::net::TcpListener::bind(cfg.http_addr)
            .with_context(|| format!("cannot listen on {}", cfg.http_addr))?;
        let addr = listener.local_addr()?;
        let routes = RouteData {
            state,
            read: read_side,
            authenticator,
            write_limits,
            telegram_access,
            media,
        };
        let server = HttpServer::new(move || {
            http::mount::api(routes.clone())
                .configure(health::configure(ready.clone()))
                .configure(|cfg| dev.configure(cfg))
        })
        .disable_signals()
        .listen(listener)?
        .run();
        Ok(Self {
            server,
            addr,
            relay,
            housekeeper,
            media_sweep,
            housekeeping_every: cfg.write.retention().every,
            background,
        })
    }

    /// The address actually bound (useful with port 0 in tests).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves and relays until `shutdown` fires, then lets in-flight requests finish.
    ///
    /// # Errors
    /// When the HTTP server fails.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        tracing::info!(addr = %self.addr, "command-api listening");
        let relay = tokio::spawn(self.relay.run(shutdown.clone()));
        tokio::spawn(self.housekeeper.run(self.background.clone()));
        if let Some((sweep, wake)) = self.media_sweep {
            tokio::spawn(sweep.run(self.housekeeping_every, wake, self.background.clone()));
        }
        let served = ops::run_until_stopped(self.server, shutdown).await;
        self.background.cancel();
        served?;
        relay.await.context("the outbox relay panicked")?;
        Ok(())
    }
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
