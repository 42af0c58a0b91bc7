//! The media store port: objects by key, pre-signed URLs for clients, and removal by key
//! or by prefix (every object of a chat shares `chats/{chat_id}/`).

use std::fmt::Debug;
use std::time::Duration;

use bytes::Bytes;
use futures_util::future::BoxFuture;

/// An error's cause, kept for the log and the cause chain.
type Cause = Box<dyn std::error::Error + Send + Sync>;

/// Why the store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// The store is down, unreachable or overloaded: worth retrying, and a 503 for the
    /// client (text messages keep working).
    #[error("the object store is unavailable: {0}")]
    Unavailable(#[source] Cause),
    /// No object has this key.
    #[error("no object at {key}")]
    NotFound {
        /// The key asked for.
        key: String,
    },
    /// The store answered with a refusal that a retry will not change (credentials,
    /// bucket, a malformed request): a configuration error or a bug.
    #[error("the object store refused the request: {0}")]
    Refused(#[source] Cause),
}

impl MediaError {
    /// Whether the store is away (as opposed to refusing): the API answers 503.
    #[must_use]
    pub const fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}

/// `Result` with [`MediaError`].
pub type Result<T, E = MediaError> = std::result::Result<T, E>;

/// What every [`MediaStore`] method returns.
pub type MediaFuture<'a, T> = BoxFuture<'a, Result<T>>;

/// An object store for the files of media messages.
///
/// Unlike the services' other ports, the futures are boxed: the store is chosen at run
/// time (S3 in production, memory in tests) and shared by command-api, the gateway and
/// the Telegram bridge as one `Arc<dyn MediaStore>`, which needs a dyn-compatible trait.
/// A boxed future per call costs nothing beside a network round trip.
pub trait MediaStore: Send + Sync + Debug {
    /// A URL through which a client may PUT the object `key` until `ttl` has passed,
    /// signed for `mime_type` (and, where the store can enforce it, `size` bytes).
    /// Local computation: no round trip to the store.
    ///
    /// # Errors
    /// [`MediaError::Refused`] when the URL cannot be signed (credentials missing).
    fn presign_put<'a>(
        &'a self,
        key: &'a str,
        mime_type: &'a str,
        size: u64,
        ttl: Duration,
    ) -> MediaFuture<'a, String>;

    /// Stores `bytes` as `key` (replacing any object there), typed `mime_type`.
    ///
    /// # Errors
    /// [`MediaError::Unavailable`] or [`MediaError::Refused`].
    fn put<'a>(&'a self, key: &'a str, bytes: Bytes, mime_type: &'a str) -> MediaFuture<'a, ()>;

    /// The size of the object `key` in bytes, `None` when there is none (not uploaded
    /// yet, or an upload still in flight: S3 shows an object only once it is complete).
    ///
    /// # Errors
    /// [`MediaError::Unavailable`] or [`MediaError::Refused`].
    fn head<'a>(&'a self, key: &'a str) -> MediaFuture<'a, Option<u64>>;

    /// The bytes of the object `key`.
    ///
    /// # Errors
    /// [`MediaError::NotFound`], [`MediaError::Unavailable`] or [`MediaError::Refused`].
    fn get<'a>(&'a self, key: &'a str) -> MediaFuture<'a, Bytes>;

    /// A URL through which a client may GET the object `key` until `ttl` has passed,
    /// offered for saving as `file_name` where the store supports it. Local computation:
    /// no round trip to the store.
    ///
    /// # Errors
    /// [`MediaError::Refused`] when the URL cannot be signed (credentials missing).
    fn presign_get<'a>(
        &'a self,
        key: &'a str,
        file_name: &'a str,
        ttl: Duration,
    ) -> MediaFuture<'a, String>;

    /// Removes the object `key`; removing an absent object succeeds (idempotent).
    ///
    /// # Errors
    /// [`MediaError::Unavailable`] or [`MediaError::Refused`].
    fn delete<'a>(&'a self, key: &'a str) -> MediaFuture<'a, ()>;

    /// Removes every object whose key starts with `prefix`, returning how many it
    /// removed (0 the second time: idempotent).
    ///
    /// # Errors
    /// [`MediaError::Unavailable`] or [`MediaError::Refused`]; some objects may be gone
    /// already, and a retry removes the rest.
    fn delete_prefix<'a>(&'a self, prefix: &'a str) -> MediaFuture<'a, u64>;
}
