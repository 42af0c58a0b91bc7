//! Why a message cannot take the upload it names (the file rules themselves are the
//! aggregate's [`chat_domain::ChatError`]s).

use actix_web::http::StatusCode;

/// An upload a send names that it may not take, or that is not ready.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    /// No upload has this id (never asked for, or expired and removed).
    #[error("no upload with this id: ask for an upload first")]
    NotFound,
    /// The upload was asked for by another user or for another chat.
    #[error("this upload belongs to another user or chat")]
    NotYours,
    /// The upload's URL expired before a message took it.
    #[error("this upload expired: ask for a new one")]
    Expired,
    /// Another message took the upload already.
    #[error("another message carries this upload already")]
    AlreadyUsed,
    /// Nothing is stored yet (the PUT did not happen, or has not completed).
    #[error("the file was not uploaded yet (or its upload is still in progress)")]
    Incomplete,
    /// The stored object is not the size the upload declared.
    #[error("the uploaded file is {stored} bytes, the upload declared {declared}")]
    SizeMismatch {
        /// The size declared when the upload was asked for.
        declared: u64,
        /// The size stored.
        stored: u64,
    },
}

impl UploadError {
    /// The stable `code` of the JSON body.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "upload_not_found",
            Self::NotYours => "upload_not_yours",
            Self::Expired => "upload_expired",
            Self::AlreadyUsed => "upload_already_used",
            Self::Incomplete => "upload_incomplete",
            Self::SizeMismatch { .. } => "upload_size_mismatch",
        }
    }

    /// 403 for another's upload, 422 for the rest.
    #[must_use]
    pub const fn status(&self) -> StatusCode {
        match self {
            Self::NotYours => StatusCode::FORBIDDEN,
            Self::NotFound
            | Self::Expired
            | Self::AlreadyUsed
            | Self::Incomplete
            | Self::SizeMismatch { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}
