//! The MTProto session kept in a file: the auth keys (a secret: the file is created with
//! mode 0600, never logged, and `Debug` shows only its path), the known peers and the
//! update position, so a restart neither signs in again nor loses updates.
//!
//! grammers' own file storage needs SQLite (libsql and bindgen); this one writes JSON
//! through a temporary file and a rename, so a crash mid-write keeps the old file.

use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use grammers_session::types::{
    ChannelState, DcOption, PeerId, PeerInfo, UpdateState, UpdatesState,
};
use grammers_session::{BoxFuture, Session, SessionData};
use serde::{Deserialize, Serialize};

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

/// A grammers [`Session`] persisted in a file.
pub struct FileSession {
    path: PathBuf,
    data: Mutex<SessionData>,
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
    /// Opens the session at `path`, or starts a new one there if it does not exist.
    ///
    /// # Errors
    /// [`SessionError`] when the file exists but cannot be read or parsed.
    pub fn open(path: &Path) -> Result<Self, SessionError> {
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
            Err(source) => {
                return Err(SessionError::Io {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        Ok(Self {
            path: path.to_owned(),
            data: Mutex::new(data),
        })
    }

    fn data(&self) -> Result<MutexGuard<'_, SessionData>, SessionError> {
        self.data.lock().map_err(|_| SessionError::Poisoned)
    }

    /// Changes the data with `change`, then writes the file.
    fn update(&self, change: impl FnOnce(&mut SessionData)) -> Result<(), SessionError> {
        let mut data = self.data()?;
        change(&mut data);
        let stored = Stored {
            home_dc: data.home_dc,
            dc_options: data.dc_options.values().cloned().collect(),
            peers: data.peer_infos.values().cloned().collect(),
            updates_state: data.updates_state.clone(),
        };
        // Written under the lock, so two writers never interleave.
        self.write(&stored)
    }

    fn write(&self, stored: &Stored) -> Result<(), SessionError> {
        let io = |source| SessionError::Io {
            path: self.path.clone(),
            source,
        };
        let json = serde_json::to_vec(stored).map_err(|e| io(std::io::Error::other(e)))?;
        let tmp = self.path.with_extension("tmp");
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(io)?;
        file.write_all(&json).map_err(io)?;
        file.sync_all().map_err(io)?;
        std::fs::rename(&tmp, &self.path).map_err(io)
    }
}

impl Session for FileSession {
    type Error = SessionError;

    fn home_dc_id(&self) -> Result<i32, SessionError> {
        Ok(self.data()?.home_dc)
    }

    fn set_home_dc_id(&self, dc_id: i32) -> BoxFuture<'_, Result<(), SessionError>> {
        Box::pin(async move { self.update(|d| d.home_dc = dc_id) })
    }

    fn dc_option(&self, dc_id: i32) -> Result<Option<DcOption>, SessionError> {
        Ok(self.data()?.dc_options.get(&dc_id).cloned())
    }

    fn set_dc_option(&self, dc_option: &DcOption) -> BoxFuture<'_, Result<(), SessionError>> {
        let option = dc_option.clone();
        Box::pin(async move {
            self.update(|d| {
                d.dc_options.insert(option.id, option);
            })
        })
    }

    fn peer(&self, peer: PeerId) -> BoxFuture<'_, Result<Option<PeerInfo>, SessionError>> {
        Box::pin(async move { Ok(self.data()?.peer_infos.get(&peer).cloned()) })
    }

    fn cache_peer(&self, peer: PeerInfo) -> BoxFuture<'_, Result<(), SessionError>> {
        Box::pin(async move {
            self.update(|d| {
                d.peer_infos
                    .entry(peer.id())
                    .or_insert_with(|| peer.clone())
                    .extend_info(&peer);
            })
        })
    }

    fn updates_state(&self) -> BoxFuture<'_, Result<UpdatesState, SessionError>> {
        Box::pin(async move { Ok(self.data()?.updates_state.clone()) })
    }

    fn set_update_state(&self, update: UpdateState) -> BoxFuture<'_, Result<(), SessionError>> {
        Box::pin(async move { self.update(|d| apply(&mut d.updates_state, update)) })
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
    use super::*;

    #[tokio::test]
    async fn the_session_survives_a_restart_and_the_file_is_private() {
        let dir = std::env::temp_dir().join(format!("tb-session-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("bridge.session");
        let session = FileSession::open(&path).expect("new session");
        session.set_home_dc_id(4).await.expect("home dc");
        session
            .set_update_state(UpdateState::Channel { id: 42, pts: 7 })
            .await
            .expect("state");
        drop(session);

        let reopened = FileSession::open(&path).expect("reopened");
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
}
