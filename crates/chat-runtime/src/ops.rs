//! Running actix HTTP servers under the shutdown token, and the operations server of
//! services that have no public HTTP API of their own.

use std::net::SocketAddr;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use tokio_util::sync::CancellationToken;

use crate::health::{self, Readiness};

/// Serves `/healthz` and `/readyz` on `addr` until `shutdown` fires (which also stops the
/// readiness refresh).
///
/// # Errors
/// When the address cannot be bound (for example, the port is taken).
pub async fn serve(
    addr: SocketAddr,
    readiness: Readiness,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    serve_with(addr, readiness, |_| {}, shutdown).await
}

/// Like [`serve`], with the routes `extra` mounts beside the health endpoints (a service's
/// development-only controls).
///
/// # Errors
/// When the address cannot be bound (for example, the port is taken).
pub async fn serve_with<F>(
    addr: SocketAddr,
    readiness: Readiness,
    extra: F,
    shutdown: CancellationToken,
) -> std::io::Result<()>
where
    F: Fn(&mut web::ServiceConfig) + Clone + Send + 'static,
{
    let ready = readiness.watch(health::REFRESH_EVERY, shutdown.clone());
    let server = HttpServer::new(move || {
        App::new()
            .wrap(from_fn(crate::metrics::track_http))
            .configure(health::configure(ready.clone()))
            .configure(extra.clone())
    })
    .workers(1)
    .disable_signals()
    .bind(addr)
    .map_err(|e| std::io::Error::new(e.kind(), format!("cannot listen on {addr}: {e}")))?
    .run();
    run_until_stopped(server, shutdown).await
}

/// Runs `server` until `shutdown` fires, then stops it gracefully: it stops accepting and
/// lets the requests in flight finish.
///
/// # Errors
/// When the server fails.
pub async fn run_until_stopped(server: Server, shutdown: CancellationToken) -> std::io::Result<()> {
    let handle = server.handle();
    tokio::spawn(async move {
        shutdown.cancelled().await;
        handle.stop(true).await;
    });
    server.await
}
