//! telegram-bridge: mirrors linked chats to Telegram supergroups and back.
//!
//! - [`config`]: flags and environment.
//! - [`ports`]: what the bridge needs from Telegram ([`ports::TelegramGateway`]).
//! - [`access`]: whether the bot is in each linked group and sees all of it.
//! - [`adapters`]: grammers (real), an in-memory fake, command-api over HTTP, and the
//!   bridge's PostgreSQL tables (links and their health, message id mapping).
//! - [`attachments`]: Telegram files into chat attachments (or placeholders) and back.
//! - [`authorization`]: whether Telegram still accepts the bridge's account (`/readyz`).
//! - [`posts`]: a chat message as Telegram posts: name prefix, parts, send keys.
//! - [`outbound`]: chat -> Telegram, a `chat.events` consumer.
//! - [`inbound`]: Telegram -> chat, commands on command-api under the service identity.
//! - [`link_health`]: links the bot cannot serve, marked, counted and logged.
//! - [`link_notices`]: each chat told when its link breaks or heals.
//! - [`flood`]: flood waits obeyed by waiting and retrying.
//! - [`limits`]: Telegram's length limits, counted in UTF-16 code units as Telegram does.
//! - [`media`]: what Telegram messages carry besides text (files, stickers, polls, ...).
//! - [`metrics`]: Telegram calls, flood waits, split messages, refused updates,
//!   authorization and broken links.
//! - [`split`]: texts too long for one Telegram message, cut into parts that fit.
//! - [`token`]: the service identity's bearer token.
//! - [`Application`]: wires it all and runs until the shutdown token fires.
//!
//! Delivery guarantees. Chat -> Telegram: an event's offset is committed only after
//! Telegram accepted; the mapping of each post (a long message is posted in parts) is
//! written right after and checked first, and every send carries a key (Telegram's
//! `random_id`) derived from the chat message id and the part, so a retry after a crash
//! or a lost answer never posts twice (such a post's copy is then found by its text among
//! the bot's messages near the group's newest known one, so later edits and deletes
//! still reach it). Telegram -> chat: an
//! update is confirmed only after command-api accepted it, and a replayed one is refused
//! by the aggregate (`telegram_message_already_received`), which counts as done.

pub mod access;
pub mod adapters;
pub mod attachments;
pub mod authorization;
pub mod config;
pub mod flood;
pub mod inbound;
pub mod limits;
pub mod link_health;
pub mod link_notices;
pub mod media;
pub mod metrics;
pub mod outbound;
pub mod ports;
pub mod posts;
pub mod split;
pub mod token;

use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use anyhow::Context;
use chat_kafka::dead_letter::topic_for;
use chat_kafka::{ConsumerSettings, DeadLetters, EventConsumer, StartFrom};
use chat_media::{MediaStore, S3Config, S3MediaStore};
use chat_runtime::connect::{self, ConnectError};
use chat_runtime::health::Readiness;
use chat_runtime::ops;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::access::{ACCESS_PATH, AccessWatch, access_route};
use crate::adapters::Gateway;
use crate::adapters::command_api::CommandApiClient;
use crate::adapters::fake::FakeTelegram;
use crate::adapters::fake_control;
use crate::adapters::pg::BridgeStore;
use crate::adapters::telegram::GrammersGateway;
use crate::authorization::{Authorization, Watched};
use crate::config::{CommandApiConfig, TelegramMode};
use crate::inbound::Inbound;
use crate::link_health::LinkHealth;
use crate::link_notices::LinkNotices;
use crate::outbound::Outbound;
use crate::token::ServiceToken;
pub use config::Config;

/// How often link notices that could not be posted are tried again.
const NOTICE_RETRY: Duration = Duration::from_secs(10);

/// A telegram-bridge with its dependencies connected.
#[derive(Debug)]
pub struct Application {
    cfg: Config,
    /// The fake Telegram in fake mode, driven over the operations port.
    fake: Option<FakeTelegram>,
    readiness: Readiness,
    consumer: EventConsumer,
    outbound: Outbound<Watched<Gateway>>,
    inbound: Inbound<Watched<Gateway>>,
    access: AccessWatch<Watched<Gateway>>,
    notices: LinkNotices,
}

impl Application {
    /// Connects to the dependencies and to the configured Telegram, failing fast when one
    /// does not answer.
    ///
    /// # Errors
    /// When a dependency does not answer or a setting is missing.
    pub async fn build(cfg: Config) -> anyhow::Result<Self> {
        let media = media_store(&cfg.media)?;
        match cfg.telegram.telegram_mode {
            TelegramMode::Real => {
                let gateway =
                    Gateway::Real(Box::new(GrammersGateway::connect(&cfg.telegram).await?));
                Self::build_with(cfg, gateway, media).await
            }
            TelegramMode::Fake => {
                tracing::warn!(
                    addr = %cfg.ops.addr,
                    "running against the in-memory fake Telegram (local development only), \
                     driven at /fake-telegram/ on the operations port"
                );
                let telegram = FakeTelegram::new();
                let gateway = Gateway::Fake(telegram.connect());
                let mut app = Self::build_with(cfg, gateway, media).await?;
                app.fake = Some(telegram);
                Ok(app)
            }
        }
    }

    /// Like [`Self::build`], with the Telegram and the media store given (tests pass a
    /// fake's client and an in-memory store; `None`: files cross as placeholders).
    ///
    /// # Errors
    /// When a dependency does not answer or a setting is missing.
    pub async fn build_with(
        cfg: Config,
        gateway: Gateway,
        media: Option<Arc<dyn MediaStore>>,
    ) -> anyhow::Result<Self> {
        let timeout: Duration = cfg.ops.ready_timeout();
        let backoff = Duration::from_millis(cfg.retry_backoff_ms.max(1));
        let pool = connect::postgres(&cfg.pg).await?;
        let authorization = Authorization::new();
        let store = BridgeStore::new(pool.clone());
        let changed = Arc::new(Notify::new());
        let links = LinkHealth::new(store.clone(), Arc::clone(&changed));
        links
            .recount()
            .await
            .context("cannot count the broken links")?;
        let commands =
            CommandApiClient::new(&cfg.command_api.command_api_url, token(&cfg.command_api)?)
                .context("cannot build the HTTP client")?;
        let client = connect::kafka_client_config(&cfg.kafka);
        let dead_letters = DeadLetters::new(&client, topic_for(&cfg.kafka.events_topic))
            .context("cannot create the dead-letter producer")?;
        let consumer = EventConsumer::new(
            &client,
            ConsumerSettings {
                group_id: cfg.consumer_group.clone(),
                topic: cfg.kafka.events_topic.clone(),
                start: StartFrom::Earliest,
                commit: true,
                retry_backoff: backoff,
                // One record at a time: Telegram's flood limits are per account, so
                // other chats would only run into the same wait.
                lanes: 1,
            },
            Some(dead_letters),
        )
        .context("cannot create the Kafka consumer")?;
        let readiness = Readiness::default()
            .postgres(pool, timeout)
            .kafka(cfg.kafka.clone(), timeout)
            .with("telegram", telegram_probe(authorization.clone()));
        let gateway = Arc::new(Watched::new(gateway, authorization));
        let access = AccessWatch::new(Arc::clone(&gateway), store.clone(), links.clone());
        let readiness = readiness.with("telegram_groups", access.probe());
        Ok(Self {
            outbound: Outbound::new(
                Arc::clone(&gateway),
                store.clone(),
                media.clone(),
                links.clone(),
                access.clone(),
            ),
            notices: LinkNotices::new(store.clone(), commands.clone(), changed),
            inbound: Inbound::new(gateway, store, media, links, commands, backoff),
            access,
            cfg,
            fake: None,
            readiness,
            consumer,
        })
    }

    /// The probes `/readyz` answers from (tests watch them without the HTTP port).
    #[must_use]
    pub fn readiness(&self) -> Readiness {
        self.readiness.clone()
    }

    /// Runs both directions and the health endpoints until `shutdown` fires; the
    /// consumer then commits what Telegram accepted.
    ///
    /// # Errors
    /// When the operations server cannot listen.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        tracing::info!(addr = %self.cfg.ops.addr, "telegram-bridge running");
        let controls = self.fake.map(fake_control::configure);
        let access = web::Data::new(self.access.clone());
        let ops = ops::serve_with(
            self.cfg.ops.addr,
            self.readiness,
            move |cfg| {
                cfg.app_data(access.clone())
                    .route(ACCESS_PATH, web::get().to(access_route::<Watched<Gateway>>));
                if let Some(controls) = &controls {
                    controls(cfg);
                }
            },
            shutdown.clone(),
        );
        let outbound = self.consumer.run(&self.outbound, shutdown.clone());
        let inbound = self.inbound.run(shutdown.clone());
        let every = Duration::from_secs(self.cfg.telegram_access_check_every_s.max(1));
        let checks = self.access.run(every, shutdown.clone());
        let notices = self.notices.run(NOTICE_RETRY, shutdown.clone());
        let (served, (), (), (), ()) = tokio::join!(
            async {
                let served = ops.await;
                // Without its health endpoints the bridge must not run on unnoticed.
                shutdown.cancel();
                served
            },
            outbound,
            inbound,
            checks,
            notices
        );
        served?;
        Ok(())
    }
}

/// The readiness probe of Telegram: failing while Telegram refuses the bridge's account
/// (learned from the calls' answers; the probe itself calls nothing).
fn telegram_probe(
    authorization: Authorization,
) -> impl Fn() -> std::future::Ready<Result<(), ConnectError>> + Send + Sync + 'static {
    move || {
        std::future::ready(if authorization.is_authorized() {
            Ok(())
        } else {
            Err(ConnectError::Refused(
                "Telegram",
                "the bridge's account is not authorized (see telegram_authorized)".to_owned(),
            ))
        })
    }
}

/// The configured object store of media, or none (files then cross as placeholders).
fn media_store(cfg: &S3Config) -> anyhow::Result<Option<Arc<dyn MediaStore>>> {
    if !cfg.is_set() {
        tracing::warn!(
            "no object store configured (S3_*): Telegram files and chat files are not copied, \
             placeholders say what they were"
        );
        return Ok(None);
    }
    let store = S3MediaStore::new(cfg).context("cannot set up the object store of media")?;
    Ok(Some(Arc::new(store)))
}

/// The service identity's token from the config.
fn token(cfg: &CommandApiConfig) -> anyhow::Result<ServiceToken> {
    match (&cfg.service_token, &cfg.jwt_hs256_secret) {
        (Some(token), _) => Ok(ServiceToken::Fixed(Arc::new(token.clone()))),
        (None, Some(secret)) => Ok(ServiceToken::Minted {
            secret: Arc::new(secret.clone()),
            service: cfg.service_identity.clone(),
        }),
        (None, None) => anyhow::bail!("set BRIDGE_SERVICE_TOKEN or JWT_HS256_SECRET"),
    }
}
