//! [`MemoryMediaStore`]: the media store in memory, for tests that need no server.
//!
//! Its pre-signed URLs are opaque `memory://` tokens naming the key: a test uploads
//! "through" one with [`MediaStore::put`], as a client would with a PUT to a real URL.
//! [`MemoryMediaStore::set_available`] simulates an outage.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::Bytes;

use crate::store::{MediaError, MediaFuture, MediaStore, Result};

/// One stored object.
#[derive(Debug, Clone)]
struct Object {
    bytes: Bytes,
    mime_type: String,
}

/// The media store in memory.
#[derive(Debug)]
pub struct MemoryMediaStore {
    objects: Mutex<BTreeMap<String, Object>>,
    available: AtomicBool,
}

impl Default for MemoryMediaStore {
    fn default() -> Self {
        Self {
            objects: Mutex::default(),
            available: AtomicBool::new(true),
        }
    }
}

impl MemoryMediaStore {
    /// An empty, available store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Simulates an outage (`false`: every call fails with
    /// [`MediaError::Unavailable`]) or its end.
    pub fn set_available(&self, available: bool) {
        self.available.store(available, Ordering::SeqCst);
    }

    /// The keys stored, in order (for assertions).
    #[must_use]
    pub fn keys(&self) -> Vec<String> {
        self.objects().keys().cloned().collect()
    }

    /// The MIME type `key` was stored with.
    #[must_use]
    pub fn mime_type(&self, key: &str) -> Option<String> {
        self.objects().get(key).map(|o| o.mime_type.clone())
    }

    fn objects(&self) -> MutexGuard<'_, BTreeMap<String, Object>> {
        // A panic while holding the lock cannot leave the map half-changed (each change
        // is one insert or remove), so a poisoned lock is still sound.
        self.objects.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn check_available(&self) -> Result<()> {
        if self.available.load(Ordering::SeqCst) {
            Ok(())
        } else {
            Err(MediaError::Unavailable(
                "the memory store is switched off".into(),
            ))
        }
    }

    /// Runs `f` on the objects when the store is available, as a ready future.
    fn run<'a, T: Send + 'a>(
        &'a self,
        f: impl FnOnce(&mut BTreeMap<String, Object>) -> Result<T> + Send + 'a,
    ) -> MediaFuture<'a, T> {
        Box::pin(async move {
            self.check_available()?;
            f(&mut self.objects())
        })
    }
}

/// A fake URL for `verb` on `key`, carrying the TTL so tests can see it.
fn url(verb: &str, key: &str, ttl: Duration) -> String {
    format!("memory://{verb}/{key}?ttl={}", ttl.as_secs())
}

impl MediaStore for MemoryMediaStore {
    fn presign_put<'a>(
        &'a self,
        key: &'a str,
        _mime_type: &'a str,
        _size: u64,
        ttl: Duration,
    ) -> MediaFuture<'a, String> {
        Box::pin(async move { Ok(url("put", key, ttl)) })
    }

    fn put<'a>(&'a self, key: &'a str, bytes: Bytes, mime_type: &'a str) -> MediaFuture<'a, ()> {
        self.run(move |objects| {
            let mime_type = mime_type.to_owned();
            objects.insert(key.to_owned(), Object { bytes, mime_type });
            Ok(())
        })
    }

    fn head<'a>(&'a self, key: &'a str) -> MediaFuture<'a, Option<u64>> {
        self.run(move |objects| {
            Ok(objects
                .get(key)
                .map(|o| u64::try_from(o.bytes.len()).unwrap_or(u64::MAX)))
        })
    }

    fn get<'a>(&'a self, key: &'a str) -> MediaFuture<'a, Bytes> {
        self.run(move |objects| {
            objects
                .get(key)
                .map(|o| o.bytes.clone())
                .ok_or_else(|| MediaError::NotFound {
                    key: key.to_owned(),
                })
        })
    }

    fn presign_get<'a>(
        &'a self,
        key: &'a str,
        _file_name: &'a str,
        ttl: Duration,
    ) -> MediaFuture<'a, String> {
        Box::pin(async move { Ok(url("get", key, ttl)) })
    }

    fn delete<'a>(&'a self, key: &'a str) -> MediaFuture<'a, ()> {
        self.run(move |objects| {
            objects.remove(key);
            Ok(())
        })
    }

    fn delete_prefix<'a>(&'a self, prefix: &'a str) -> MediaFuture<'a, u64> {
        self.run(move |objects| {
            let before = objects.len();
            objects.retain(|key, _| !key.starts_with(prefix));
            Ok(u64::try_from(before - objects.len()).unwrap_or(u64::MAX))
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[tokio::test]
    async fn objects_round_trip_and_head_tells_their_size() {
        let store = MemoryMediaStore::new();
        assert_eq!(store.head("chats/a/1").await.unwrap(), None);
        store
            .put("chats/a/1", Bytes::from_static(b"hello"), "text/plain")
            .await
            .unwrap();
        assert_eq!(store.head("chats/a/1").await.unwrap(), Some(5));
        assert_eq!(store.get("chats/a/1").await.unwrap(), "hello");
        assert_eq!(store.mime_type("chats/a/1").as_deref(), Some("text/plain"));
        assert!(matches!(
            store.get("chats/a/2").await,
            Err(MediaError::NotFound { key }) if key == "chats/a/2"
        ));
    }

    #[tokio::test]
    async fn deletes_are_idempotent_and_a_prefix_takes_only_its_objects() {
        let store = MemoryMediaStore::new();
        for key in ["chats/a/1", "chats/a/2", "chats/ab/1", "chats/b/1"] {
            store
                .put(key, Bytes::from_static(b"x"), "image/png")
                .await
                .unwrap();
        }
        assert_eq!(store.delete_prefix("chats/a/").await.unwrap(), 2);
        assert_eq!(store.delete_prefix("chats/a/").await.unwrap(), 0);
        store.delete("chats/b/1").await.unwrap();
        store.delete("chats/b/1").await.unwrap();
        assert_eq!(store.keys(), ["chats/ab/1"]);
    }

    #[tokio::test]
    async fn an_outage_is_unavailable_and_urls_need_no_round_trip() {
        let store: Arc<dyn MediaStore> = Arc::new(MemoryMediaStore::new());
        let memory = MemoryMediaStore::new();
        memory.set_available(false);
        assert!(memory.head("k").await.unwrap_err().is_unavailable());
        assert!(
            memory
                .put("k", Bytes::new(), "image/png")
                .await
                .unwrap_err()
                .is_unavailable()
        );
        let ttl = Duration::from_secs(900);
        assert_eq!(
            memory.presign_put("k", "image/png", 1, ttl).await.unwrap(),
            "memory://put/k?ttl=900"
        );
        assert_eq!(
            store.presign_get("k", "a.png", ttl).await.unwrap(),
            "memory://get/k?ttl=900"
        );
    }
}
