//! Read-your-writes: waiting until projector-sync applied a chat version.
//!
//! projector-sync notifies `projection_applied` with `<chat_id>:<version>` in the same
//! transaction as the projection and its checkpoint. One listener connection per process
//! notes each announced version in a bounded in-memory map (`latest`) and then fans it
//! out to the waiting requests. A waiter subscribes first, then looks in the map, so an
//! announcement is either in the map or on its way to it: in the normal case a wait costs
//! no query at all. It reads the checkpoint from PostgreSQL only now and then (`RECHECK`)
//! and at its deadline, so a notification lost while the listener reconnects (or a chat
//! the map forgot) only delays it. Each wait is the `waiter_wake` hop of the SYNC path
//! (`chat_sync_hop_seconds{hop="waiter_wake"}`).

mod latest;

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chat_domain::ChatId;
use chat_runtime::hops;
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::broadcast;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use self::latest::LatestApplied;
use super::PgReadModels;
use super::rows::APPLIED_CHANNEL;
use crate::plan::Projector;
use crate::ports::{ChatQueries, Result};

/// How often a waiter re-reads the checkpoint besides listening.
const RECHECK: Duration = Duration::from_millis(500);

/// How many chats' latest applied versions a process remembers (some 50 bytes each).
const REMEMBERED_CHATS: usize = 65_536;

/// Waits for projector-sync's checkpoints.
#[derive(Debug, Clone)]
pub struct AppliedWaiter {
    models: PgReadModels,
    announced: Arc<Announced>,
}

impl AppliedWaiter {
    /// Starts the listener on `pool`; it runs until `shutdown` fires.
    #[must_use]
    pub fn start(pool: PgPool, shutdown: CancellationToken) -> Self {
        let announced = Arc::new(Announced::new(REMEMBERED_CHATS));
        tokio::spawn(listen(pool.clone(), Arc::clone(&announced), shutdown));
        Self {
            models: PgReadModels::new(pool),
            announced,
        }
    }

    /// Waits until projector-sync applied `version` of `chat_id` (or later); `false` when
    /// `timeout` passed first.
    ///
    /// # Errors
    /// When PostgreSQL fails.
    pub async fn wait(&self, chat_id: ChatId, version: u64, timeout: Duration) -> Result<bool> {
        wait_for(&self.models, &self.announced, chat_id, version, timeout).await
    }
}

/// Where a waiter reads a chat's checkpoint when the announcements did not answer.
trait Checkpoints: Sync {
    /// The version projector-sync applied in `chat_id` (0: nothing yet).
    fn applied(&self, chat_id: ChatId) -> impl Future<Output = Result<u64>> + Send;
}

impl Checkpoints for PgReadModels {
    async fn applied(&self, chat_id: ChatId) -> Result<u64> {
        self.applied_version(Projector::Sync, chat_id).await
    }
}

/// The versions this process heard projector-sync announce: remembered, then broadcast.
#[derive(Debug)]
struct Announced {
    latest: Mutex<LatestApplied>,
    applied: broadcast::Sender<(ChatId, u64)>,
}

impl Announced {
    fn new(capacity: usize) -> Self {
        Self {
            latest: Mutex::new(LatestApplied::new(capacity)),
            applied: broadcast::channel(1024).0,
        }
    }

    /// Notes `version` of `chat_id` as applied, then tells the waiters. In this order: a
    /// waiter that subscribed too late for the broadcast finds it in the map.
    fn announce(&self, chat_id: ChatId, version: u64) {
        self.remember(chat_id, version);
        // No receiver (nobody waiting) is fine.
        let _ = self.applied.send((chat_id, version));
    }

    /// Notes `version` of `chat_id` as applied without telling anyone.
    fn remember(&self, chat_id: ChatId, version: u64) {
        self.latest
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .record(chat_id, version);
    }

    /// Whether `version` of `chat_id` is known to be applied.
    fn covers(&self, chat_id: ChatId, version: u64) -> bool {
        self.latest
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(chat_id)
            .is_some_and(|applied| applied >= version)
    }
}

/// [`AppliedWaiter::wait`] over any checkpoint store, observing the `waiter_wake` hop.
async fn wait_for(
    checkpoints: &impl Checkpoints,
    announced: &Announced,
    chat_id: ChatId,
    version: u64,
    timeout: Duration,
) -> Result<bool> {
    let started = Instant::now();
    let woke = wait_until(checkpoints, announced, chat_id, version, started + timeout).await?;
    hops::observe_duration(hops::WAITER_WAKE, started.elapsed());
    Ok(woke)
}

async fn wait_until(
    checkpoints: &impl Checkpoints,
    announced: &Announced,
    chat_id: ChatId,
    version: u64,
    deadline: Instant,
) -> Result<bool> {
    // Subscribe before looking, so an announcement between the two is not missed.
    let mut notified = announced.applied.subscribe();
    if announced.covers(chat_id, version) {
        return Ok(true);
    }
    loop {
        let recheck = (Instant::now() + RECHECK).min(deadline);
        loop {
            tokio::select! {
                () = tokio::time::sleep_until(recheck) => break,
                received = notified.recv() => match received {
                    Ok((chat, applied)) if chat == chat_id && applied >= version => {
                        return Ok(true);
                    }
                    Ok(_) => {}
                    // What was skipped is in the map.
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        if announced.covers(chat_id, version) {
                            return Ok(true);
                        }
                    }
                    Err(broadcast::error::RecvError::Closed) => {
                        tokio::time::sleep_until(recheck).await;
                        break;
                    }
                },
            }
        }
        let applied = checkpoints.applied(chat_id).await?;
        announced.remember(chat_id, applied);
        if applied >= version {
            return Ok(true);
        }
        if Instant::now() >= deadline {
            return Ok(false);
        }
    }
}

/// Relays notifications until shutdown, reconnecting after failures.
async fn listen(pool: PgPool, announced: Arc<Announced>, shutdown: CancellationToken) {
    while !shutdown.is_cancelled() {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(e) => {
                tracing::warn!(error.message = %e, "cannot listen for applied projections");
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    () = tokio::time::sleep(RECHECK) => continue,
                }
            }
        };
        if let Err(e) = listener.listen(APPLIED_CHANNEL).await {
            tracing::warn!(error.message = %e, "LISTEN failed");
            continue;
        }
        loop {
            let received = tokio::select! {
                () = shutdown.cancelled() => return,
                received = listener.recv() => received,
            };
            match received {
                Ok(notification) => {
                    if let Some((chat_id, version)) = parse(notification.payload()) {
                        announced.announce(chat_id, version);
                    }
                }
                Err(e) => {
                    tracing::warn!(error.message = %e, "applied-projection listener failed");
                    break;
                }
            }
        }
    }
}

/// `<chat_id>:<version>`.
fn parse(payload: &str) -> Option<(ChatId, u64)> {
    let (chat, version) = payload.split_once(':')?;
    Some((chat.parse().ok()?, version.parse().ok()?))
}

#[cfg(test)]
mod tests;
