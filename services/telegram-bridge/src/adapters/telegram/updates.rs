//! Telegram's updates read apart from their handling.
//!
//! grammers hands its network tasks' updates over in a bounded channel and drops the
//! new ones when it is full (`try_send` in grammers-mtsender's `run_sender`), so it must
//! never wait on the bridge: a reader task drains the [`super::receiver::Receiver`] into
//! a queue of the bridge's own while the inbound loop waits on command-api. When that
//! queue is full too, the reader waits (grammers' channel, as large, takes the slack);
//! only a backlog of both is dropped, and the receiver then fetches the gap as a
//! difference.
//!
//! Handled updates are confirmed in order; each one's own position is kept until then,
//! so confirming an update saves where the stream stood after it, not after the newest
//! one read ahead.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use grammers_session::types::UpdateState;
use tokio::sync::{Notify, mpsc};

use crate::ports::{Delivery, GatewayError, TelegramUpdate};

/// One update the bridge handles, with the position to save once it is handled.
pub struct Read {
    /// The update.
    pub update: TelegramUpdate,
    /// Where the stream stands after it (`None` when Telegram gave no position).
    pub position: Option<UpdateState>,
}

impl std::fmt::Debug for Read {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // grammers' positions have no `Debug`.
        f.debug_struct("Read")
            .field("update", &self.update)
            .finish_non_exhaustive()
    }
}

/// Where updates are read from.
pub trait UpdateSource: Send + 'static {
    /// The next update the bridge handles (others are skipped).
    fn next(&mut self) -> impl Future<Output = Result<Read, GatewayError>> + Send;
}

/// Updates read ahead by a task of their own, handed out one by one.
pub struct ReadAhead {
    queue: tokio::sync::Mutex<mpsc::Receiver<Result<Read, GatewayError>>>,
    /// Wakes the reader after an error, once the caller asks again: a failing stream is
    /// retried at the caller's pace, not in a loop of the reader's.
    resume: Arc<Notify>,
    failed: AtomicBool,
    delivered: AtomicU64,
    /// The position of each update handed out and not confirmed yet, by delivery id.
    positions: std::sync::Mutex<BTreeMap<u64, UpdateState>>,
    reader: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for ReadAhead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadAhead")
            .field("delivered", &self.delivered)
            .finish_non_exhaustive()
    }
}

impl ReadAhead {
    /// Starts reading `source` into a queue of `capacity` updates.
    pub fn spawn(source: impl UpdateSource, capacity: usize) -> Self {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        let resume = Arc::new(Notify::new());
        let reader = tokio::spawn(read(source, tx, Arc::clone(&resume)));
        Self {
            queue: tokio::sync::Mutex::new(rx),
            resume,
            failed: AtomicBool::new(false),
            delivered: AtomicU64::new(0),
            positions: std::sync::Mutex::new(BTreeMap::new()),
            reader,
        }
    }

    /// The next update, waiting for one if none was read yet.
    ///
    /// # Errors
    /// What reading failed with; the reader goes on at the next call.
    pub async fn next(&self) -> Result<Delivery, GatewayError> {
        let mut queue = self.queue.lock().await;
        if self.failed.swap(false, Ordering::SeqCst) {
            self.resume.notify_one();
        }
        let read = queue
            .recv()
            .await
            .ok_or_else(|| GatewayError::Unavailable("the update reader stopped".into()))?;
        let read = read.inspect_err(|_| self.failed.store(true, Ordering::SeqCst))?;
        let id = self.delivered.fetch_add(1, Ordering::SeqCst);
        if let Some(position) = read.position {
            self.positions()?.insert(id, position);
        }
        Ok(Delivery {
            id,
            update: read.update,
        })
    }

    /// The position to save now that delivery `id` is handled, once (`None` after that,
    /// or when the update had none). Updates are confirmed in order, so the positions of
    /// earlier deliveries never confirmed (given up on) are forgotten with it.
    ///
    /// # Errors
    /// [`GatewayError::Unavailable`] when the positions' lock is poisoned.
    pub fn confirmed(&self, id: u64) -> Result<Option<UpdateState>, GatewayError> {
        let mut positions = self.positions()?;
        let later = positions.split_off(&id.saturating_add(1));
        let position = positions.remove(&id);
        *positions = later;
        Ok(position)
    }

    fn positions(
        &self,
    ) -> Result<std::sync::MutexGuard<'_, BTreeMap<u64, UpdateState>>, GatewayError> {
        self.positions
            .lock()
            .map_err(|_| GatewayError::Unavailable("update position lock poisoned".into()))
    }
}

impl Drop for ReadAhead {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

/// The reader task: `source` into `queue` until the queue's receiver is gone, pausing
/// after each error until `resume`.
async fn read(
    mut source: impl UpdateSource,
    queue: mpsc::Sender<Result<Read, GatewayError>>,
    resume: Arc<Notify>,
) {
    loop {
        let read = source.next().await;
        let failed = read.is_err();
        if queue.send(read).await.is_err() {
            return;
        }
        if failed {
            resume.notified().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    use super::*;

    /// Updates 0, 1, 2, … of channel 7, update `n` at pts `n`; fails once at `fail_at`.
    struct Counting {
        reads: Arc<AtomicUsize>,
        fail_at: Option<usize>,
    }

    impl UpdateSource for Counting {
        async fn next(&mut self) -> Result<Read, GatewayError> {
            let n = self.reads.fetch_add(1, Ordering::SeqCst);
            if self.fail_at == Some(n) {
                return Err(GatewayError::FloodWait { seconds: 3 });
            }
            let pts = i32::try_from(n).expect("small");
            Ok(Read {
                update: TelegramUpdate::MessagesDeleted {
                    chat_id: None,
                    message_ids: vec![i64::from(pts)],
                },
                position: Some(UpdateState::Channel { id: 7, pts }),
            })
        }
    }

    async fn reads_reach(reads: &AtomicUsize, at_least: usize) {
        tokio::time::timeout(Duration::from_secs(5), async {
            while reads.load(Ordering::SeqCst) < at_least {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await
        .expect("the reader keeps reading while the first update is being handled");
    }

    fn pts(position: Option<UpdateState>) -> Option<i32> {
        match position {
            Some(UpdateState::Channel { pts, .. }) => Some(pts),
            _ => None,
        }
    }

    #[tokio::test]
    async fn reading_goes_on_while_an_update_is_handled_and_confirming_saves_that_updates_position()
    {
        let reads = Arc::new(AtomicUsize::new(0));
        let source = Counting {
            reads: Arc::clone(&reads),
            fail_at: None,
        };
        let updates = ReadAhead::spawn(source, 10);
        let first = updates.next().await.expect("first");
        // The first update is "being handled" (not confirmed): reading goes on up to the
        // queue's capacity.
        reads_reach(&reads, 10).await;
        let mut later = Vec::new();
        for _ in 0..5 {
            later.push(updates.next().await.expect("later").id);
        }
        assert_eq!(pts(updates.confirmed(first.id).expect("lock")), Some(0));
        assert_eq!(pts(updates.confirmed(later[0]).expect("lock")), Some(1));
        assert_eq!(pts(updates.confirmed(later[4]).expect("lock")), Some(5));
        // Confirmed once only.
        assert_eq!(pts(updates.confirmed(later[4]).expect("lock")), None);
    }

    #[tokio::test]
    async fn after_an_error_reading_waits_for_the_next_ask() {
        let reads = Arc::new(AtomicUsize::new(0));
        let source = Counting {
            reads: Arc::clone(&reads),
            fail_at: Some(1),
        };
        let updates = ReadAhead::spawn(source, 10);
        updates.next().await.expect("first");
        assert_eq!(
            updates.next().await.map(|d| d.id),
            Err(GatewayError::FloodWait { seconds: 3 })
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(
            reads.load(Ordering::SeqCst),
            2,
            "no read before the caller asks again"
        );
        let next = updates.next().await.expect("after the error");
        assert_eq!(pts(updates.confirmed(next.id).expect("lock")), Some(2));
    }
}
