//! wse-gateway over memory, for its WebSocket tests without servers: the production
//! app (`Application::build_on`: `/wse`, health, metrics) on a free local port, with
//! memberships read from a [`MemoryMembership`] and events published through an
//! [`EventPublisher`] instead of PostgreSQL and Kafka. Typing stays on the one replica
//! (no relay topic) and media messages carry no download URL (no object store).

use std::net::SocketAddr;
use std::sync::Arc;

use chat_auth::Authenticator;
use chat_runtime::health::Readiness;
use clap::Parser;
use tokio_util::sync::CancellationToken;

use super::adapters::{EventPublisher, MemoryEvents, MemoryMembership};
use crate::hub::Hub;
use crate::{Application, Config, Edges};

/// The connection settings a [`Config`] requires; the memory gateway never reads them.
const NO_SERVERS: [&str; 2] = [
    "--database-url=postgres://unused@127.0.0.1:1/unused",
    "--kafka-brokers=127.0.0.1:1",
];

/// A gateway serving on memory; stops when dropped.
#[derive(Debug)]
pub struct MemoryGateway {
    addr: SocketAddr,
    hub: Arc<Hub>,
    events: EventPublisher,
    shutdown: CancellationToken,
}

impl MemoryGateway {
    /// Serves the gateway on a free local port, verifying HS256 tokens signed with
    /// `jwt_secret`, with `extra` flags, reading memberships from `membership`. Call it
    /// inside a Tokio runtime.
    ///
    /// # Errors
    /// When a flag is invalid or no port can be bound.
    pub fn spawn(
        jwt_secret: &str,
        extra: &[&str],
        membership: Arc<MemoryMembership>,
    ) -> anyhow::Result<Self> {
        let secret = format!("--jwt-hs256-secret={jwt_secret}");
        let args = ["wse-gateway", "--http-addr=127.0.0.1:0", secret.as_str()]
            .into_iter()
            .chain(NO_SERVERS)
            .chain(extra.iter().copied());
        let cfg = Config::try_parse_from(args)?;
        let (events, source) = MemoryEvents::channel();
        let edges = Edges {
            auth: Authenticator::from_config(&cfg.auth)?,
            directory: membership,
            events: Box::new(source),
            readiness: Readiness::default(),
            relay: None,
            media: None,
        };
        let app = Application::build_on(&cfg, edges)?;
        let gateway = Self {
            addr: app.addr(),
            hub: app.hub(),
            events,
            shutdown: CancellationToken::new(),
        };
        tokio::spawn(app.run_until_stopped(gateway.shutdown.clone()));
        Ok(gateway)
    }

    /// The address it serves on.
    #[must_use]
    pub const fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The routing state, for its counters.
    #[must_use]
    pub fn hub(&self) -> Arc<Hub> {
        Arc::clone(&self.hub)
    }

    /// Where tests publish the events it routes.
    #[must_use]
    pub fn events(&self) -> EventPublisher {
        self.events.clone()
    }

    /// Fires to stop it (as SIGTERM does in production).
    #[must_use]
    pub fn shutdown(&self) -> CancellationToken {
        self.shutdown.clone()
    }
}

impl Drop for MemoryGateway {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}
