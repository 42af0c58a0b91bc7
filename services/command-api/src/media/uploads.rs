//! `attachment_uploads`: the uploads participants asked for, in PostgreSQL.

use anyhow::anyhow;
use chat_domain::{ChatId, MediaKind, MessageId, UserId};
use futures_util::future::BoxFuture;
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::ports::StoreError;
use crate::ports::uploads::UploadStore;

/// An upload as asked for: what the user said they would put where, until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// Its id (the last part of the key).
    pub upload_id: Uuid,
    /// The chat it is for.
    pub chat_id: ChatId,
    /// The user who asked.
    pub user_id: UserId,
    /// The object key (`chats/{chat_id}/{upload_id}`).
    pub key: String,
    /// The kind asked for.
    pub kind: MediaKind,
    /// The file name.
    pub name: String,
    /// The declared size in bytes.
    pub size: u64,
    /// The MIME type's essence.
    pub mime_type: String,
    /// When its upload URL stops working.
    pub expires_at: OffsetDateTime,
    /// The message that took it, if one did.
    pub message_id: Option<MessageId>,
}

type Row = (
    Uuid,
    Uuid,
    Uuid,
    String,
    String,
    String,
    i64,
    String,
    OffsetDateTime,
    Option<Uuid>,
);

/// The uploads table on a pool.
#[derive(Debug, Clone)]
pub struct PgUploads {
    pool: PgPool,
}

fn unavailable(e: sqlx::Error) -> StoreError {
    StoreError::Unavailable(e.into())
}

impl PgUploads {
    /// The table on `pool` (migrations applied).
    #[must_use]
    pub const fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Records an upload asked for.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    pub async fn insert(&self, upload: &Upload) -> Result<(), StoreError> {
        let size = i64::try_from(upload.size)
            .map_err(|_| StoreError::Corrupt(anyhow!("upload size {} too large", upload.size)))?;
        sqlx::query(
            "INSERT INTO attachment_uploads (upload_id, chat_id, user_id, object_key, kind, \
             name, size, mime_type, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(upload.upload_id)
        .bind(upload.chat_id.as_uuid())
        .bind(upload.user_id.as_uuid())
        .bind(&upload.key)
        .bind(upload.kind.as_str())
        .bind(&upload.name)
        .bind(size)
        .bind(&upload.mime_type)
        .bind(upload.expires_at)
        .execute(&self.pool)
        .await
        .map_err(unavailable)?;
        Ok(())
    }

    /// The upload `upload_id`, if it was asked for (and not removed since).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], or [`StoreError::Corrupt`] for a row this code did
    /// not write.
    pub async fn find(&self, upload_id: Uuid) -> Result<Option<Upload>, StoreError> {
        let row: Option<Row> = sqlx::query_as(
            "SELECT upload_id, chat_id, user_id, object_key, kind, name, size, mime_type, \
             expires_at, message_id FROM attachment_uploads WHERE upload_id = $1",
        )
        .bind(upload_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(unavailable)?;
        row.map(upload).transpose()
    }
}

fn upload(row: Row) -> Result<Upload, StoreError> {
    let (upload_id, chat, user, key, kind, name, size, mime_type, expires_at, message) = row;
    let corrupt = |what: String| StoreError::Corrupt(anyhow!("upload {upload_id}: {what}"));
    Ok(Upload {
        upload_id,
        chat_id: ChatId::from_uuid(chat),
        user_id: UserId::from_uuid(user),
        key,
        kind: MediaKind::from_name(&kind).ok_or_else(|| corrupt(format!("kind {kind:?}")))?,
        name,
        size: u64::try_from(size).map_err(|_| corrupt(format!("size {size}")))?,
        mime_type,
        expires_at,
        message_id: message.map(MessageId::from_uuid),
    })
}

impl UploadStore for PgUploads {
    fn insert<'a>(&'a self, upload: &'a Upload) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(Self::insert(self, upload))
    }

    fn find(&self, upload_id: Uuid) -> BoxFuture<'_, Result<Option<Upload>, StoreError>> {
        Box::pin(Self::find(self, upload_id))
    }
}
