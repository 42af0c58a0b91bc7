//! command-api in this process, for tests (feature `testing`): on the given stores,
//! optionally with both projectors, until the shutdown token fires; or over memory, with
//! no server at all ([`memory`]).

pub mod memory;

use std::net::SocketAddr;
use std::sync::Arc;

use chat_media::MediaStore;
use chat_projector::testing::run_projectors_in_process;
use chat_read_model::testing::Stores;
use clap::Parser;
use tokio_util::sync::CancellationToken;

use crate::{Application, Config};

/// Write buckets far beyond any test's bursts, so only tests about limits meet them
/// (they set their own, which win: a later flag overrides an earlier one).
pub const GENEROUS_LIMITS: [&str; 5] = [
    "--write-rate-per-s=100000",
    "--write-burst=100000",
    "--service-write-rate-per-s=100000",
    "--service-write-burst=100000",
    "--chat-creates-per-window=100000",
];

/// Starts command-api (and both projectors when `projectors`) on `stores`, verifying
/// HS256 tokens signed with `jwt_secret`, with [`GENEROUS_LIMITS`] and `extra` flags;
/// returns its address.
///
/// # Errors
/// When a projector or command-api cannot start.
pub async fn spawn_in_process(
    stores: &Stores,
    jwt_secret: &str,
    projectors: bool,
    extra: &[&str],
    shutdown: &CancellationToken,
) -> anyhow::Result<SocketAddr> {
    spawn_with_media(stores, jwt_secret, projectors, extra, None, shutdown).await
}

/// [`spawn_in_process`] on the object store `media` (e.g. a
/// [`chat_media::MemoryMediaStore`]) instead of the configured one.
///
/// # Errors
/// When a projector or command-api cannot start.
pub async fn spawn_with_media(
    stores: &Stores,
    jwt_secret: &str,
    projectors: bool,
    extra: &[&str],
    media: Option<Arc<dyn MediaStore>>,
    shutdown: &CancellationToken,
) -> anyhow::Result<SocketAddr> {
    if projectors {
        run_projectors_in_process(stores, shutdown).await?;
    }
    let mut args = vec![
        "command-api".to_owned(),
        "--http-addr=127.0.0.1:0".to_owned(),
        format!("--jwt-hs256-secret={jwt_secret}"),
        // The relay polls often so tests see Kafka promptly.
        "--relay-poll-ms=50".to_owned(),
        format!("--database-url={}", stores.pg.url),
        format!("--kafka-brokers={}", stores.kafka.brokers),
        format!("--events-topic={}", stores.kafka.events_topic),
        format!("--cql-nodes={}", stores.cql.nodes.join(",")),
        format!("--cql-keyspace={}", stores.cql.keyspace),
        // `make test` runs several test binaries at once on a small machine, where
        // projector-sync may take seconds: a test expecting 201 waits that out rather
        // than see 202. Tests about the 202 answer set a short wait (a later flag wins).
        "--sync-wait-ms=30000".to_owned(),
    ];
    args.extend(GENEROUS_LIMITS.iter().chain(extra).map(|s| (*s).to_owned()));
    let app = Application::build_with_media(Config::parse_from(args), media).await?;
    let addr = app.addr();
    tokio::spawn(app.run_until_stopped(shutdown.clone()));
    Ok(addr)
}
