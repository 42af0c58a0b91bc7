//! A fresh directory for a test's session file, removed on drop.

use std::path::PathBuf;

/// A directory of its own under the system's temporary directory.
#[derive(Debug)]
pub struct SessionDir(PathBuf);

impl SessionDir {
    /// Creates the directory.
    ///
    /// # Panics
    /// When it cannot be created.
    #[must_use]
    pub fn new() -> Self {
        let path = std::env::temp_dir().join(format!("telegram-session-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&path).expect("a session directory");
        Self(path)
    }

    /// The session file's path in it.
    #[must_use]
    pub fn file(&self) -> PathBuf {
        self.0.join("session.json")
    }
}

impl Default for SessionDir {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for SessionDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
