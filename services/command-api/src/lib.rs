//! command-api: the REST face of the chat backend.
//!
//! - [`config`]: flags and environment.
//! - [`Application`]: connects to PostgreSQL, Kafka and the CQL store, then serves HTTP
//!   until the shutdown token fires.

pub mod config;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use actix_web::{App, HttpServer};
use chat_runtime::health::{self, Readiness};
use chat_runtime::{connect, ops};
use tokio_util::sync::CancellationToken;

pub use config::Config;

/// A command-api bound to its port, with its dependencies connected.
pub struct Application {
    server: actix_web::dev::Server,
    addr: SocketAddr,
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
    /// When a dependency does not answer or the address cannot be bound.
    pub async fn build(cfg: Config) -> anyhow::Result<Self> {
        let timeout = Duration::from_millis(cfg.ready_timeout_ms);
        let pool = connect::postgres(&cfg.pg).await?;
        let cql = Arc::new(connect::cql(&cfg.cql).await?);
        let readiness = Readiness::default()
            .postgres(pool, timeout)
            .cql(cql, timeout)
            .kafka(cfg.kafka.clone(), timeout);
        let listener = std::net::TcpListener::bind(cfg.http_addr)
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", cfg.http_addr))?;
        let addr = listener.local_addr()?;
        let server =
            HttpServer::new(move || App::new().configure(health::configure(readiness.clone())))
                .disable_signals()
                .listen(listener)?
                .run();
        Ok(Self { server, addr })
    }

    /// The address actually bound (useful with port 0 in tests).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until `shutdown` fires, then lets in-flight requests finish.
    ///
    /// # Errors
    /// When the HTTP server fails.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        tracing::info!(addr = %self.addr, "command-api listening");
        ops::run_until_stopped(self.server, shutdown).await?;
        Ok(())
    }
}
