//! What a message of the fake carries besides its text: a user's file (with Telegram's
//! size limits on files) or other media.

use crate::limits::TextLimit;
use crate::media::{
    FileKind, MAX_FILE_BYTES, MAX_PHOTO_BYTES, MediaFile, OutgoingFile, TelegramMedia,
};
use crate::ports::GatewayError;

/// A file a Telegram user attaches to a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserFile {
    /// What it is.
    pub kind: FileKind,
    /// Its file name, if it has one.
    pub name: Option<String>,
    /// Its MIME type.
    pub mime_type: String,
    /// Width and height in pixels (photos, videos).
    pub dimensions: Option<(u32, u32)>,
    /// Length in seconds (voice notes, videos, audio).
    pub duration_secs: Option<u32>,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

impl UserFile {
    /// A file of `kind` with `bytes`, typed `mime_type`, without a name or dimensions.
    #[must_use]
    pub fn new(kind: FileKind, mime_type: &str, bytes: Vec<u8>) -> Self {
        Self {
            kind,
            name: None,
            mime_type: mime_type.to_owned(),
            dimensions: None,
            duration_secs: None,
            bytes,
        }
    }

    /// The same file named `name`.
    #[must_use]
    pub fn named(self, name: &str) -> Self {
        Self {
            name: Some(name.to_owned()),
            ..self
        }
    }

    /// How Telegram describes it.
    pub(super) fn describe(&self) -> MediaFile {
        MediaFile {
            kind: self.kind,
            name: self.name.clone(),
            mime_type: self.mime_type.clone(),
            size: self.bytes.len() as u64,
            width: self.dimensions.map(|(w, _)| w),
            height: self.dimensions.map(|(_, h)| h),
            duration_secs: self.duration_secs,
        }
    }

    /// `Ok` when Telegram takes a file this large as this kind.
    pub(super) fn check_size(&self) -> Result<(), GatewayError> {
        let size = self.bytes.len() as u64;
        if size > MAX_FILE_BYTES {
            // More parts than Telegram takes (core.telegram.org/api/files).
            return Err(GatewayError::Rejected("FILE_PARTS_INVALID".into()));
        }
        if self.kind == FileKind::Photo && size > MAX_PHOTO_BYTES {
            // Telegram documents the limit, not its error's name: the fake's own.
            return Err(GatewayError::Rejected("PHOTO_TOO_BIG".into()));
        }
        Ok(())
    }
}

impl From<OutgoingFile<'_>> for UserFile {
    fn from(file: OutgoingFile<'_>) -> Self {
        Self {
            kind: file.kind,
            name: Some(file.name.to_owned()),
            mime_type: file.mime_type.to_owned(),
            dimensions: None,
            duration_secs: file.duration_secs,
            bytes: file.bytes.to_vec(),
        }
    }
}

/// What a new message carries besides its text.
#[derive(Debug)]
pub(super) enum Attached {
    Nothing,
    File(UserFile),
    Media(TelegramMedia),
}

impl Attached {
    /// The limit on the message's text: a caption's when it carries anything.
    pub(super) const fn text_limit(&self) -> TextLimit {
        match self {
            Self::Nothing => TextLimit::Message,
            Self::File(_) | Self::Media(_) => TextLimit::Caption,
        }
    }
}
