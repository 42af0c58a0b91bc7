//! The MTProto session kept in a file: the auth keys (a secret: the file is created with
//! mode 0600, never logged, and `Debug` shows only its path), the known peers and the
//! update position, so a restart neither signs in again nor loses updates.
//!
//! grammers' own file storage needs SQLite (libsql and bindgen); this one writes JSON
//! through a [`FileWriter`]: off the async threads, atomically, and coalesced, because
//! grammers caches every peer of every update batch and moves the update position with
//! each update. What must survive a crash is written before the call returns: the auth
//! keys and home DC (else the bot signs in again), and the position of a handled update
//! ([`FileSession::save_update_state`]). The rest (peers, grammers' own positions) may
//! lose the last write delay's changes: peers come again with the next update naming
//! them, and the position handled last is saved on its own.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use grammers_session::types::{
    ChannelState, DcOption, PeerId, PeerInfo, UpdateState, UpdatesState,
};
use grammers_session::{BoxFuture, Session, SessionData};
use serde::{Deserialize, Serialize};

use super::file_writer::FileWriter;

/// A session file that could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// Reading or writing the file failed.
    #[error("session file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The failure.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a session of ours.
    #[error("session file {path} is not valid: {source}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The failure.
        #[source]
        source: serde_json::Error,
    },
    /// A thread panicked while holding the session.
    #[error("the session lock is poisoned")]
    Poisoned,
}

/// The file's content.
#[derive(Serialize, Deserialize)]
struct Stored {
    home_dc: i32,
    dc_options: Vec<DcOption>,
    peers: Vec<PeerInfo>,
    updates_state: UpdatesState,
}

impl Stored {
    fn of(data: &SessionData) -> Self {
        Self {
            home_dc: data.home_dc,
            dc_options: data.dc_options.values().cloned().collect(),
            peers: data.peer_infos.values().cloned().collect(),
            updates_state: data.updates_state.clone(),
        }
    }
}

/// A grammers [`Session`] persisted in a file.
pub struct FileSession {
    path: PathBuf,
    data: Arc<Mutex<SessionData>>,
    writer: FileWriter,
}

impl std::fmt::Debug for FileSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The auth keys stay out of logs.
        f.debug_struct("FileSession")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl FileSession {
    /// Opens the session at `path`, or starts a new one there if it does not exist;
    /// changes that need not be durable at once are written at most once per
    /// `write_delay`.
    ///
    /// # Errors
    /// [`SessionError`] when the file exists but cannot be read or parsed.
    pub fn open(path: &Path, write_delay: Duration) -> Result<Self, SessionError> {
        let io = |source| SessionError::Io {
            path: path.to_owned(),
            source,
        };
        let data = match std::fs::read(path) {
            Ok(bytes) => {
                let stored: Stored =
                    serde_json::from_slice(&bytes).map_err(|source| SessionError::Invalid {
                        path: path.to_owned(),
                        source,
                    })?;
                SessionData {
                    home_dc: stored.home_dc,
                    dc_options: stored.dc_options.into_iter().map(|o| (o.id, o)).collect(),
                    peer_infos: stored.peers.into_iter().map(|p| (p.id(), p)).collect(),
                    updates_state: stored.updates_state,
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => SessionData::default(),
            Err(source) => return Err(io(source)),
        };
        let data = Arc::new(Mutex::new(data));
        let content = Arc::clone(&data);
        let writer = FileWriter::start(path.to_owned(), write_delay, move || {
            let data = content
                .lock()
                .map_err(|_| std::io::Error::other("the session lock is poisoned"))?;
            serde_json::to_vec(&Stored::of(&data)).map_err(std::io::Error::other)
        })
        .map_err(io)?;
        Ok(Self {
            path: path.to_owned(),
            data,
            writer,
        })
    }

    /// Saves the position of a handled update; it is on disk when this returns.
    ///
    /// # Errors
    /// [`SessionError`] when it could not be written.
    pub async fn save_update_state(&self, update: UpdateState) -> Result<(), SessionError> {
        self.change_durably(|d| apply(&mut d.updates_state, update))
            .await
    }

    /// Whether a position of channel `id`'s sequence is kept.
    ///
    /// # Errors
    /// [`SessionError::Poisoned`].
    pub fn follows_channel(&self, id: i64) -> Result<bool, SessionError> {
        Ok(self
            .data()?
            .updates_state
            .channels
            .iter()
            .any(|c| c.id == id))
    }

    /// Starts channel `id`'s sequence at `pts` unless a position of it is kept already;
    /// on disk when this returns.
    ///
    /// # Errors
    /// [`SessionError`] when it could not be written.
    pub async fn follow_channel(&self, id: i64, pts: i32) -> Result<(), SessionError> {
        self.change_durably(|d| {
            if !d.updates_state.channels.iter().any(|c| c.id == id) {
                apply(&mut d.updates_state, UpdateState::Channel { id, pts });
            }
        })
        .await
    }

    fn data(&self) -> Result<MutexGuard<'_, SessionData>, SessionError> {
        self.data.lock().map_err(|_| SessionError::Poisoned)
    }

    /// Changes the data with `change`; the file follows within the write delay.
    fn change(&self, change: impl FnOnce(&mut SessionData)) -> Result<u64, SessionError> {
        change(&mut *self.data()?);
        Ok(self.writer.changed())
    }

    /// Changes the data with `change` and returns once the file holds it.
    async fn change_durably(
        &self,
        change: impl FnOnce(&mut SessionData),
    ) -> Result<(), SessionError> {
        let change = self.change(change)?;
        self.writer
            .flushed(change)
            .await
            .map_err(|source| SessionError::Io {
                path: self.path.clone(),
                source,
            })
    }
}

impl Session for FileSession {
    type Error = SessionError;

    fn home_dc_id(&self) -> Result<i32, SessionError> {
        Ok(self.data()?.home_dc)
    }

    fn set_home_dc_id(&self, dc_id: i32) -> BoxFuture<'_, Result<(), SessionError>> {
        Box::pin(self.change_durably(move |d| d.home_dc = dc_id))
    }

    fn dc_option(&self, dc_id: i32) -> Result<Option<DcOption>, SessionError> {
        Ok(self.data()?.dc_options.get(&dc_id).cloned())
    }

    /// Durable: a DC option carries the auth key made for it.
    fn set_dc_option(&self, dc_option: &DcOption) -> BoxFuture<'_, Result<(), SessionError>> {
        let option = dc_option.clone();
        Box::pin(self.change_durably(move |d| {
            d.dc_options.insert(option.id, option);
        }))
    }

    fn peer(&self, peer: PeerId) -> BoxFuture<'_, Result<Option<PeerInfo>, SessionError>> {
        Box::pin(async move { Ok(self.data()?.peer_infos.get(&peer).cloned()) })
    }

    fn cache_peer(&self, peer: PeerInfo) -> BoxFuture<'_, Result<(), SessionError>> {
        let cached = self.change(|d| {
            d.peer_infos
                .entry(peer.id())
                .or_insert_with(|| peer.clone())
                .extend_info(&peer);
        });
        Box::pin(async move { cached.map(drop) })
    }

    fn updates_state(&self) -> BoxFuture<'_, Result<UpdatesState, SessionError>> {
        Box::pin(async move { Ok(self.data()?.updates_state.clone()) })
    }

    /// Coalesced: grammers moves its position with every update read, ahead of the
    /// bridge's handling; the handled one is saved by [`FileSession::save_update_state`].
    fn set_update_state(&self, update: UpdateState) -> BoxFuture<'_, Result<(), SessionError>> {
        let changed = self.change(|d| apply(&mut d.updates_state, update));
        Box::pin(async move { changed.map(drop) })
    }
}

/// Folds one update-state change in (as grammers' memory session does).
fn apply(state: &mut UpdatesState, update: UpdateState) {
    match update {
        UpdateState::All(all) => *state = all,
        UpdateState::Primary { pts, date, seq } => {
            state.pts = pts;
            state.date = date;
            state.seq = seq;
        }
        UpdateState::Secondary { qts } => state.qts = qts,
        UpdateState::Channel { id, pts } => {
            state.channels.retain(|c| c.id != id);
            state.channels.push(ChannelState { id, pts });
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn the_session_survives_a_restart_and_the_file_is_private() {
        let dir = std::env::temp_dir().join(format!("tb-session-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("bridge.session");
        let session = FileSession::open(&path, Duration::from_secs(1)).expect("new session");
        session.set_home_dc_id(4).await.expect("home dc");
        session
            .set_update_state(UpdateState::Channel { id: 42, pts: 7 })
            .await
            .expect("state");
        drop(session);

        let reopened = FileSession::open(&path, Duration::from_secs(1)).expect("reopened");
        assert_eq!(reopened.home_dc_id().expect("dc"), 4);
        let state = reopened.updates_state().await.expect("state");
        assert_eq!(state.channels.len(), 1);
        assert_eq!(state.channels[0].pts, 7);
        assert!(reopened.data().expect("data").peer_infos.is_empty());
        assert!(!format!("{reopened:?}").contains("auth"));
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        std::fs::remove_dir_all(&dir).ok();
    }

    fn temp_path() -> (PathBuf, PathBuf) {
        let dir = std::env::temp_dir().join(format!("tb-session-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("dir");
        (dir.join("bridge.session"), dir)
    }

    fn channel(id: i64) -> PeerInfo {
        PeerInfo::Channel {
            id,
            auth: None,
            kind: None,
        }
    }

    fn channel_pts(path: &Path, id: i64) -> Option<i32> {
        let stored: Stored = serde_json::from_slice(&std::fs::read(path).ok()?).expect("json");
        stored
            .updates_state
            .channels
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.pts)
    }

    #[tokio::test]
    async fn a_burst_of_changes_is_one_write_and_a_saved_position_is_on_disk_when_saving_returns() {
        let (path, dir) = temp_path();
        let session = FileSession::open(&path, Duration::from_secs(3600)).expect("new session");
        for n in 0..500 {
            session.cache_peer(channel(1000 + n)).await.expect("peer");
            let pts = i32::try_from(n).expect("small");
            session
                .set_update_state(UpdateState::Channel { id: 42, pts })
                .await
                .expect("state");
        }
        assert_eq!(
            session.writer.writes(),
            0,
            "cached peers wait for the next write"
        );
        session
            .save_update_state(UpdateState::Channel { id: 42, pts: 600 })
            .await
            .expect("saved");
        assert_eq!(
            channel_pts(&path, 42),
            Some(600),
            "on disk when saving returns"
        );
        assert_eq!(
            session.writer.writes(),
            1,
            "everything before went in the same write"
        );
        let reopened = FileSession::open(&path, Duration::from_secs(1)).expect("reopened");
        assert_eq!(reopened.data().expect("data").peer_infos.len(), 500);
        std::fs::remove_dir_all(&dir).ok();
    }

    #[tokio::test]
    async fn coalesced_changes_reach_the_disk_after_the_delay() {
        let (path, dir) = temp_path();
        let session = FileSession::open(&path, Duration::from_millis(20)).expect("new session");
        session
            .set_update_state(UpdateState::Channel { id: 9, pts: 3 })
            .await
            .expect("state");
        tokio::time::timeout(Duration::from_secs(5), async {
            while channel_pts(&path, 9) != Some(3) {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await
        .expect("written within the delay");
        std::fs::remove_dir_all(&dir).ok();
    }
}
