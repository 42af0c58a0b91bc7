//! The uploads media messages ask for, as the media service reaches them: PostgreSQL's
//! `attachment_uploads` in production, a map in the memory-backed API tests.

use std::fmt::Debug;

use futures_util::future::BoxFuture;
use uuid::Uuid;

use super::StoreError;
use crate::media::uploads::Upload;

/// The uploads asked for (dyn-compatible: the media service holds one behind a pointer).
pub trait UploadStore: Send + Sync + Debug {
    /// Records an upload asked for.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    fn insert<'a>(&'a self, upload: &'a Upload) -> BoxFuture<'a, Result<(), StoreError>>;

    /// The upload `upload_id`, if it was asked for (and not removed since).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], or [`StoreError::Corrupt`] for a stored upload this
    /// code did not write.
    fn find(&self, upload_id: Uuid) -> BoxFuture<'_, Result<Option<Upload>, StoreError>>;
}
