//! command-api over memory, for its HTTP tests without servers: the routes and
//! middleware of production ([`crate::http::mount::api`]) and the health and metrics
//! endpoints on a free port, over the memory adapters (event store, membership
//! authority, uploads, read models).
//!
//! Each decision is projected into the memory read models, by both projectors' plans
//! (`chat_read_model::apply`), before the append returns: the command answers once its
//! events are readable, as production does when projector-sync keeps up, so a test reads
//! its writes at once and never polls. Message search is PostgreSQL's alone (its
//! stemming and ranking): here it answers 503, and its tests run against the servers.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::{HttpServer, web};
use anyhow::Context;
use chat_auth::Authenticator;
use chat_domain::{ChatId, ChatState, FactsQuery, MessageFacts, MessageId, UserId};
use chat_media::MediaStore;
use chat_read_model::apply::apply_event;
use chat_read_model::memory::MemoryReadModels;
use chat_read_model::model::ChatListEntry;
use chat_read_model::search::{MessageSearchQuery, SearchPage};
use chat_read_model::{ChatQueries, Projector};
use chat_runtime::health::{self, Readiness};
use clap::Parser;
use tokio_util::sync::CancellationToken;

use crate::Config;
use crate::adapters::memory::{MemoryEventStore, MemoryUploads};
use crate::app::CommandService;
use crate::http::mount::{RouteData, api};
use crate::http::read::ReadSide;
use crate::http::state::ApiState;
use crate::limits::WriteLimits;
use crate::media::MediaService;
use crate::ports::erased::SharedEventStore;
use crate::ports::read::{ProjectionWait, Reply, SearchReads};
use crate::ports::{EventStore, NewEvents, StoreError};
use crate::telegram_access::TelegramAccessCheck;
use crate::testing::GENEROUS_LIMITS;

/// The connection settings a [`Config`] requires; the memory app never reads them.
const NO_SERVERS: [&str; 3] = [
    "--database-url=postgres://unused@127.0.0.1:1/unused",
    "--kafka-brokers=127.0.0.1:1",
    "--cql-nodes=127.0.0.1:1",
];

/// A command-api serving on memory; stops when dropped.
#[derive(Debug)]
pub struct MemoryApp {
    addr: SocketAddr,
    events: MemoryEventStore,
    read_models: MemoryReadModels,
    server: ServerHandle,
    /// Stops the readiness refresh.
    background: CancellationToken,
}

impl MemoryApp {
    /// Serves the API on a free local port over fresh memory stores, verifying HS256
    /// tokens signed with `jwt_secret`, with [`GENEROUS_LIMITS`] and `extra` flags;
    /// media messages use `media` (none: they answer 503). Call it inside a Tokio
    /// runtime.
    ///
    /// # Errors
    /// When a flag is invalid or no port can be bound.
    pub fn spawn(
        jwt_secret: &str,
        extra: &[&str],
        media: Option<Arc<dyn MediaStore>>,
    ) -> anyhow::Result<Self> {
        let secret = format!("--jwt-hs256-secret={jwt_secret}");
        let args = ["command-api", "--http-addr=127.0.0.1:0", secret.as_str()]
            .into_iter()
            .chain(NO_SERVERS)
            .chain(GENEROUS_LIMITS)
            .chain(extra.iter().copied());
        let cfg = Config::try_parse_from(args).context("invalid flags")?;
        let events = MemoryEventStore::default();
        let read_models = MemoryReadModels::default();
        let routes = routes(&cfg, &events, &read_models, media)?;
        let listener = TcpListener::bind(cfg.http_addr)
            .with_context(|| format!("cannot listen on {}", cfg.http_addr))?;
        let addr = listener.local_addr()?;
        let background = CancellationToken::new();
        // Nothing to probe: memory is always there.
        let ready = Readiness::default().watch(health::REFRESH_EVERY, background.clone());
        let server = HttpServer::new(move || {
            api(routes.clone()).configure(health::configure(ready.clone()))
        })
        .workers(2)
        .disable_signals()
        .listen(listener)?
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Ok(Self {
            addr,
            events,
            read_models,
            server: handle,
            background,
        })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The stored events (and the membership authority they keep).
    pub fn events(&self) -> &MemoryEventStore {
        &self.events
    }

    /// The read models (e.g. to seed templates, which operators manage).
    pub fn read_models(&self) -> &MemoryReadModels {
        &self.read_models
    }
}

impl Drop for MemoryApp {
    fn drop(&mut self) {
        self.background.cancel();
        // The stop command is sent at once; nobody needs to wait for the workers.
        let stopping = self.server.stop(false);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(stopping);
        }
    }
}

/// What the routes share, as production builds it but on memory.
fn routes(
    cfg: &Config,
    events: &MemoryEventStore,
    read_models: &MemoryReadModels,
    media: Option<Arc<dyn MediaStore>>,
) -> anyhow::Result<RouteData> {
    let store = ProjectedStore {
        events: events.clone(),
        read_models: read_models.clone(),
    };
    let commands = CommandService::new(
        SharedEventStore::new(store),
        cfg.write.command_settings(&cfg.limits),
    );
    let read = ReadSide {
        members: Arc::new(events.clone()),
        chats: Arc::new(read_models.clone()),
        edits: Arc::new(read_models.clone()),
        search: Arc::new(NoSearch),
        messages: Arc::new(read_models.clone()),
        applied: Arc::new(Projected(read_models.clone())),
        sync_wait: Duration::from_millis(cfg.read.sync_wait_ms),
    };
    Ok(RouteData {
        state: web::Data::new(ApiState::new(commands)),
        read: web::Data::new(read),
        authenticator: web::Data::new(Authenticator::from_config(&cfg.auth)?),
        write_limits: web::Data::new(WriteLimits::new(&cfg.limits)),
        telegram_access: web::Data::new(TelegramAccessCheck::from_config(&cfg.telegram)?),
        media: web::Data::new(MediaService::new(
            media,
            Arc::new(MemoryUploads::default()),
            cfg.media.settings(),
        )),
    })
}

/// The memory event store whose appends are projected at once into the read models.
#[derive(Debug, Clone)]
struct ProjectedStore {
    events: MemoryEventStore,
    read_models: MemoryReadModels,
}

impl ProjectedStore {
    /// Applies the decision's events as both projectors would.
    async fn project(&self, new: &NewEvents) -> Result<(), StoreError> {
        let views = &self.read_models;
        for envelope in &new.envelopes {
            for projector in [Projector::Sync, Projector::Async] {
                apply_event(views, views, projector, envelope)
                    .await
                    // A bug of the plan or the memory stores: the test sees a 500.
                    .map_err(|e| StoreError::Corrupt(anyhow::Error::new(e)))?;
            }
        }
        Ok(())
    }
}

impl EventStore for ProjectedStore {
    async fn append_batch(&self, batch: &[NewEvents]) -> Vec<Result<(), StoreError>> {
        let mut answers = self.events.append_batch(batch).await;
        for (answer, new) in answers.iter_mut().zip(batch) {
            if answer.is_ok() {
                *answer = self.project(new).await;
            }
        }
        answers
    }

    async fn version(&self, chat_id: ChatId) -> Result<u64, StoreError> {
        self.events.version(chat_id).await
    }

    async fn facts(&self, chat_id: ChatId, query: &FactsQuery) -> Result<MessageFacts, StoreError> {
        self.events.facts(chat_id, query).await
    }

    async fn load(&self, chat_id: ChatId) -> Result<ChatState, StoreError> {
        self.events.load(chat_id).await
    }

    async fn claimed_message(
        &self,
        user_id: UserId,
        key: &str,
    ) -> Result<Option<(ChatId, MessageId)>, StoreError> {
        self.events.claimed_message(user_id, key).await
    }
}

/// Read-your-writes on memory: projector-sync's checkpoint, already there when the
/// command answers (so the wait never waits).
#[derive(Debug)]
struct Projected(MemoryReadModels);

impl ProjectionWait for Projected {
    fn wait(&self, chat_id: ChatId, version: u64, _timeout: Duration) -> Reply<'_, bool> {
        Box::pin(async move {
            let applied = self.0.applied_version(Projector::Sync, chat_id).await?;
            Ok(applied >= version)
        })
    }
}

/// Search without PostgreSQL: unavailable (503).
#[derive(Debug)]
struct NoSearch;

impl NoSearch {
    fn unavailable<T: Send + 'static>() -> Reply<'static, T> {
        Box::pin(std::future::ready(Err(
            chat_read_model::StoreError::Postgres(
                "full-text search runs in PostgreSQL only".into(),
            ),
        )))
    }
}

impl SearchReads for NoSearch {
    fn search_messages<'a>(&'a self, _query: &'a MessageSearchQuery) -> Reply<'a, SearchPage> {
        Self::unavailable()
    }

    fn search_chats<'a>(
        &'a self,
        _user_id: UserId,
        _text: &'a str,
        _limit: usize,
    ) -> Reply<'a, Vec<ChatListEntry>> {
        Self::unavailable()
    }
}
