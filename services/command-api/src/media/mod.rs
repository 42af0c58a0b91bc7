//! Media messages on the API side: uploads asked for, checked before a message takes
//! them, and short-lived download URLs in what the API shows.
//!
//! Bytes never pass through command-api. A participant asks for an upload and gets a
//! pre-signed PUT URL to the object store; the send that names the upload is checked
//! against what was asked (same chat, same user, not expired, not taken) and against the
//! store (the object is there, whole, of the declared size) before the aggregate decides.
//! Reads hand out pre-signed GET URLs, signed locally (no store round trip), and only on
//! routes that only participants reach.
//!
//! - [`errors`]: [`UploadError`], why a send cannot take an upload.
//! - [`uploads`]: the `attachment_uploads` table.
//! - [`views`]: messages as the API shows them, with their download URL.
//! - [`sweep`]: housekeeping of objects nobody may reach any more.

pub mod errors;
pub mod sweep;
pub mod uploads;
pub mod views;

use std::sync::Arc;
use std::time::Duration;

use anyhow::anyhow;
use chat_domain::chat::object_key;
use chat_domain::chat::rules::media::{mime_essence, validate_name};
use chat_domain::{Attachment, ChatId, Media, MediaKind, UserId};
use chat_media::{MediaError, MediaStore};
use time::OffsetDateTime;
use tokio::sync::Notify;
use uuid::Uuid;

use crate::app::CommandError;
use crate::http::error::ApiError;
use crate::ports::uploads::UploadStore;
pub use errors::UploadError;
use uploads::Upload;

/// How long the URLs the API hands out work.
#[derive(Debug, Clone, Copy)]
pub struct MediaSettings {
    /// A pre-signed PUT for an upload (also how long a send may take the upload).
    pub upload_ttl: Duration,
    /// A pre-signed GET in history, single messages and socket frames.
    pub download_ttl: Duration,
}

/// What a participant says of the file they want to upload.
#[derive(Debug, Clone)]
pub struct UploadRequest {
    /// The file name.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its MIME type.
    pub mime_type: String,
    /// The message kind; by default the MIME type's ([`MediaKind::for_mime_type`]).
    pub kind: Option<MediaKind>,
}

/// An upload granted: where to PUT the bytes, until when.
#[derive(Debug, Clone)]
pub struct UploadTicket {
    /// The upload (named by the send that carries the file).
    pub upload: Upload,
    /// The pre-signed PUT URL.
    pub upload_url: String,
}

/// What a send says of the upload it carries (beyond the upload, facts only the client
/// knows).
#[derive(Debug, Clone, Copy)]
pub struct UploadRef {
    /// The upload.
    pub upload_id: Uuid,
    /// An image's width in pixels.
    pub width: Option<u32>,
    /// An image's height in pixels.
    pub height: Option<u32>,
    /// A voice note's length in seconds.
    pub duration_secs: Option<u32>,
}

/// Uploads, their checks and download URLs, over the media store and the uploads table.
#[derive(Debug, Clone)]
pub struct MediaService {
    /// `None` when no object store is configured: media answers 503, text works.
    store: Option<Arc<dyn MediaStore>>,
    uploads: Arc<dyn UploadStore>,
    settings: MediaSettings,
    /// Wakes the media sweep ([`sweep::MediaSweep::run`]).
    released: Arc<Notify>,
}

impl From<MediaError> for ApiError {
    fn from(e: MediaError) -> Self {
        if e.is_unavailable() {
            Self::Unavailable(e.into())
        } else {
            Self::Internal(e.into())
        }
    }
}

impl MediaService {
    /// The service on `store` (if any) and the uploads asked for.
    #[must_use]
    pub fn new(
        store: Option<Arc<dyn MediaStore>>,
        uploads: Arc<dyn UploadStore>,
        settings: MediaSettings,
    ) -> Self {
        Self {
            store,
            uploads,
            settings,
            released: Arc::default(),
        }
    }

    /// What wakes the media sweep: notified by [`Self::release`].
    #[must_use]
    pub fn released(&self) -> Arc<Notify> {
        Arc::clone(&self.released)
    }

    /// Tells the media sweep that a delete (of a message or a chat) may have released
    /// objects, so they go now rather than at the next interval.
    pub fn release(&self) {
        self.released.notify_one();
    }

    /// The object store.
    ///
    /// # Errors
    /// 503 when none is configured.
    pub fn store(&self) -> Result<&dyn MediaStore, ApiError> {
        self.store
            .as_deref()
            .ok_or_else(|| ApiError::Unavailable(anyhow!("no object store is configured")))
    }

    /// Grants `user` an upload to `chat_id` (the caller checked they may write there):
    /// checks the file against its kind before any byte is stored, records the upload,
    /// and signs its PUT.
    ///
    /// # Errors
    /// 415 for a MIME type no kind (or not the named kind) allows, 413 beyond the kind's
    /// limit, 422 for an empty file or a bad name, 503 when the store or PostgreSQL is
    /// down.
    pub async fn grant(
        &self,
        chat_id: ChatId,
        user_id: UserId,
        request: UploadRequest,
        now: OffsetDateTime,
    ) -> Result<UploadTicket, ApiError> {
        let mime_type = mime_essence(&request.mime_type);
        let kind = match request.kind {
            Some(kind) => kind,
            None => MediaKind::for_mime_type(&mime_type).ok_or_else(|| {
                ApiError::from(chat_domain::ChatError::MediaTypeNotAllowed {
                    kind: MediaKind::File,
                    mime_type: mime_type.clone(),
                })
            })?,
        };
        kind.check(&mime_type, request.size)?;
        validate_name(&request.name)?;
        let store = self.store()?;
        let upload_id = Uuid::new_v4();
        let upload = Upload {
            upload_id,
            chat_id,
            user_id,
            key: object_key(chat_id, upload_id),
            kind,
            name: request.name,
            size: request.size,
            mime_type,
            expires_at: now + self.settings.upload_ttl,
            message_id: None,
        };
        let upload_url = store
            .presign_put(
                &upload.key,
                &upload.mime_type,
                upload.size,
                self.settings.upload_ttl,
            )
            .await?;
        self.uploads
            .insert(&upload)
            .await
            .map_err(CommandError::Store)?;
        Ok(UploadTicket { upload, upload_url })
    }

    /// The file a send of `user` to `chat_id` carries: the upload it names, once checked
    /// against what was asked and against what is stored.
    ///
    /// # Errors
    /// [`UploadError`]s (403 for another's upload, 422 for the rest), 503 when the store
    /// or PostgreSQL is down.
    pub async fn take(
        &self,
        chat_id: ChatId,
        user_id: UserId,
        named: UploadRef,
        now: OffsetDateTime,
    ) -> Result<Media, ApiError> {
        let upload = self
            .uploads
            .find(named.upload_id)
            .await
            .map_err(CommandError::Store)?
            .ok_or(UploadError::NotFound)?;
        if upload.chat_id != chat_id || upload.user_id != user_id {
            return Err(UploadError::NotYours.into());
        }
        if upload.message_id.is_some() {
            return Err(UploadError::AlreadyUsed.into());
        }
        if upload.expires_at <= now {
            return Err(UploadError::Expired.into());
        }
        let attachment = Attachment {
            key: upload.key,
            name: upload.name,
            size: upload.size,
            mime_type: upload.mime_type,
            width: named.width,
            height: named.height,
            duration_secs: named.duration_secs,
        };
        self.require_stored(&attachment).await?;
        Ok(Media {
            kind: upload.kind,
            attachment,
        })
    }

    /// Checks that the object of `attachment` is stored whole, with its size. (The
    /// bridge stores Telegram media itself; its messages are checked with this alone.)
    ///
    /// # Errors
    /// [`UploadError::Incomplete`] or [`UploadError::SizeMismatch`] (422), 503 when the
    /// store is down.
    pub async fn require_stored(&self, attachment: &Attachment) -> Result<(), ApiError> {
        match self.store()?.head(&attachment.key).await? {
            None => Err(UploadError::Incomplete.into()),
            Some(stored) if stored != attachment.size => Err(UploadError::SizeMismatch {
                declared: attachment.size,
                stored,
            }
            .into()),
            Some(_) => Ok(()),
        }
    }
}
