//! A file kept on disk by a thread of its own, so no async thread waits on the disk.
//!
//! Changes are coalesced: each one only marks the file stale, and the thread writes the
//! latest content at most once per delay, however many changes came in between. A
//! caller that needs its change on disk asks for it ([`FileWriter::flushed`]): the write
//! then happens at once and the call returns when it is durable. Each write goes through
//! a temporary file, `fsync` and a rename (and an `fsync` of the directory), so a crash
//! leaves the old file or the new one, never a torn one.

use std::fs::{File, OpenOptions};
use std::io::{self, Write as _};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::sync::watch;

/// Produces the file's current content.
type Snapshot = Box<dyn Fn() -> io::Result<Vec<u8>> + Send>;

/// What the writing thread is asked to do.
#[derive(Default)]
struct Requests {
    /// Number of the latest change (changes are numbered from 1).
    changed: u64,
    /// Someone waits for the latest change to be on disk: no coalescing delay.
    urgent: bool,
    /// The owner is gone: write what is left, then stop.
    closing: bool,
}

/// What the writing thread has done.
#[derive(Clone, Default)]
struct Written {
    /// Writes attempted so far.
    attempts: u64,
    /// The latest change on disk.
    durable: u64,
    /// The latest change of the last attempt, when it failed, and why.
    failed: Option<(u64, String)>,
}

struct Shared {
    requests: Mutex<Requests>,
    wake: Condvar,
}

impl Shared {
    fn requests(&self) -> MutexGuard<'_, Requests> {
        // A panic while holding this lock cannot leave it inconsistent (plain counters).
        self.requests
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A file written in the background from the latest snapshot of its content.
pub struct FileWriter {
    shared: Arc<Shared>,
    written: watch::Receiver<Written>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for FileWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileWriter").finish_non_exhaustive()
    }
}

impl FileWriter {
    /// Starts the thread keeping `path` (mode 0600) equal to `snapshot()`, writing at most
    /// once per `delay` unless asked to flush.
    ///
    /// # Errors
    /// When the thread cannot be started.
    pub fn start(
        path: PathBuf,
        delay: Duration,
        snapshot: impl Fn() -> io::Result<Vec<u8>> + Send + 'static,
    ) -> io::Result<Self> {
        let shared = Arc::new(Shared {
            requests: Mutex::new(Requests::default()),
            wake: Condvar::new(),
        });
        let (report, written) = watch::channel(Written::default());
        let thread = std::thread::Builder::new()
            .name("session-writer".into())
            .spawn({
                let shared = Arc::clone(&shared);
                move || {
                    run(
                        &shared,
                        &path,
                        delay,
                        &(Box::new(snapshot) as Snapshot),
                        &report,
                    )
                }
            })?;
        Ok(Self {
            shared,
            written,
            thread: Some(thread),
        })
    }

    /// Marks the content changed; returns the change's number for [`Self::flushed`].
    /// Call it after the change is visible to the snapshot.
    pub fn changed(&self) -> u64 {
        let mut requests = self.shared.requests();
        requests.changed += 1;
        self.shared.wake.notify_one();
        requests.changed
    }

    /// Writes at once and returns when change `change` is on disk.
    ///
    /// # Errors
    /// The write's failure (it is tried again with the next change or flush).
    pub async fn flushed(&self, change: u64) -> io::Result<()> {
        let mut written = self.written.clone();
        let attempts_before = written.borrow().attempts;
        self.shared.requests().urgent = true;
        self.shared.wake.notify_one();
        let outcome = written
            .wait_for(|w| {
                w.durable >= change
                    || (w.attempts > attempts_before
                        && w.failed.as_ref().is_some_and(|(c, _)| *c >= change))
            })
            .await
            .map_err(|_| io::Error::other("the session writer stopped"))?;
        match &outcome.failed {
            Some((_, why)) if outcome.durable < change => Err(io::Error::other(why.clone())),
            _ => Ok(()),
        }
    }

    /// Writes attempted so far.
    #[cfg(test)]
    pub fn writes(&self) -> u64 {
        self.written.borrow().attempts
    }
}

impl Drop for FileWriter {
    /// Writes what is left, so a clean shutdown loses no change.
    fn drop(&mut self) {
        self.shared.requests().closing = true;
        self.shared.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            thread.join().ok();
        }
    }
}

/// The writing thread.
fn run(
    shared: &Shared,
    path: &Path,
    delay: Duration,
    snapshot: &Snapshot,
    report: &watch::Sender<Written>,
) {
    let mut done = Written::default();
    loop {
        let mut requests = shared.requests();
        while requests.changed == done.durable && !requests.closing {
            requests = shared
                .wake
                .wait(requests)
                .unwrap_or_else(|e| e.into_inner());
        }
        if requests.changed == done.durable {
            return;
        }
        // Coalescing: the changes of the next `delay` go into the same write.
        let deadline = Instant::now() + delay;
        while !requests.urgent && !requests.closing {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            requests = shared
                .wake
                .wait_timeout(requests, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        let change = requests.changed;
        requests.urgent = false;
        drop(requests);
        done.attempts += 1;
        let failed = match snapshot().and_then(|content| write_atomically(path, &content)) {
            Ok(()) => {
                done.durable = change;
                done.failed = None;
                false
            }
            Err(e) => {
                tracing::error!(path = %path.display(), error.message = %e, "cannot write the session file");
                done.failed = Some((change, e.to_string()));
                true
            }
        };
        report.send_replace(done.clone());
        // A failed write is tried again after the delay, unless the owner is gone.
        if failed && shared.requests().closing {
            return;
        }
    }
}

/// Replaces `path` with `content`, durably.
fn write_atomically(path: &Path, content: &[u8]) -> io::Result<()> {
    let tmp = path.with_extension("tmp");
    let mut file = OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    file.write_all(content)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)?;
    // The rename itself is durable only once the directory is.
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    File::open(dir.unwrap_or(Path::new(".")))?.sync_all()
}
