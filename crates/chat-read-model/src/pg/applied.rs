//! Read-your-writes: waiting until projector-sync applied a chat version.
//!
//! projector-sync notifies `projection_applied` with `<chat_id>:<version>` in the same
//! transaction as the projection and its checkpoint. One listener connection per process
//! fans the notifications out to the waiting requests; a waiter also re-reads the
//! checkpoint now and then, so a notification lost while the listener reconnects only
//! delays it.

use std::time::Duration;

use chat_domain::ChatId;
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::broadcast;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::PgReadModels;
use super::rows::APPLIED_CHANNEL;
use crate::plan::Projector;
use crate::ports::{ChatQueries, Result};

/// How often a waiter re-reads the checkpoint besides listening.
const RECHECK: Duration = Duration::from_millis(500);

/// Waits for projector-sync's checkpoints.
#[derive(Debug, Clone)]
pub struct AppliedWaiter {
    models: PgReadModels,
    applied: broadcast::Sender<(ChatId, u64)>,
}

impl AppliedWaiter {
    /// Starts the listener on `pool`; it runs until `shutdown` fires.
    #[must_use]
    pub fn start(pool: PgPool, shutdown: CancellationToken) -> Self {
        let (applied, _) = broadcast::channel(1024);
        tokio::spawn(listen(pool.clone(), applied.clone(), shutdown));
        Self {
            models: PgReadModels::new(pool),
            applied,
        }
    }

    /// Waits until projector-sync applied `version` of `chat_id` (or later); `false` when
    /// `timeout` passed first.
    ///
    /// # Errors
    /// When PostgreSQL fails.
    pub async fn wait(&self, chat_id: ChatId, version: u64, timeout: Duration) -> Result<bool> {
        let deadline = Instant::now() + timeout;
        // Subscribe before reading, so a notification between the two is not missed.
        let mut notified = self.applied.subscribe();
        loop {
            if self
                .models
                .applied_version(Projector::Sync, chat_id)
                .await?
                >= version
            {
                return Ok(true);
            }
            let recheck = (Instant::now() + RECHECK).min(deadline);
            loop {
                tokio::select! {
                    () = tokio::time::sleep_until(recheck) => break,
                    received = notified.recv() => match received {
                        Ok((chat, applied)) if chat == chat_id && applied >= version => {
                            return Ok(true);
                        }
                        Ok(_) => {}
                        Err(broadcast::error::RecvError::Lagged(_)) => break,
                        Err(broadcast::error::RecvError::Closed) => {
                            tokio::time::sleep_until(recheck).await;
                            break;
                        }
                    },
                }
            }
            if Instant::now() >= deadline {
                return Ok(self
                    .models
                    .applied_version(Projector::Sync, chat_id)
                    .await?
                    >= version);
            }
        }
    }
}

/// Relays notifications until shutdown, reconnecting after failures.
async fn listen(
    pool: PgPool,
    applied: broadcast::Sender<(ChatId, u64)>,
    shutdown: CancellationToken,
) {
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
                    if let Some(parsed) = parse(notification.payload()) {
                        // No receiver (nobody waiting) is fine.
                        let _ = applied.send(parsed);
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
mod tests {
    use super::*;

    #[test]
    fn payloads_parse_into_chat_and_version() {
        let chat = ChatId::from_uuid(uuid::Uuid::from_u128(7));
        assert_eq!(parse(&format!("{chat}:12")), Some((chat, 12)));
        assert_eq!(parse("nonsense"), None);
        assert_eq!(parse(&format!("{chat}:x")), None);
    }
}
