//! Media rules (PRODUCT.md section 4, issue 15): which files a message may carry, how
//! large, and when its caption may be empty.
//!
//! The same checks run twice on purpose: when a client asks for an upload (before any
//! byte is stored) and when a message names the uploaded object (the aggregate's word,
//! whatever the client did in between). Sizes are in bytes; "20 MB" is 20 MiB.

use serde::{Deserialize, Serialize};

use crate::chat::attachment::{Attachment, Media};
use crate::chat::errors::ChatError;
use crate::chat::rules::limits;
use crate::chat::types::MessageType;
use crate::ids::ChatId;
use crate::text::{self, TextKind};

const MIB: u64 = 1024 * 1024;

/// The largest image.
pub const MAX_IMAGE_BYTES: u64 = 20 * MIB;
/// The largest voice note.
pub const MAX_VOICE_BYTES: u64 = 10 * MIB;
/// The largest file.
pub const MAX_FILE_BYTES: u64 = 50 * MIB;
/// The longest file name, in characters.
pub const MAX_ATTACHMENT_NAME_CHARS: usize = 255;

/// Images every browser shows inline.
const IMAGE_TYPES: &[&str] = &["image/jpeg", "image/png", "image/gif", "image/webp"];

/// Recordings every browser plays in `<audio>` (Telegram's voice notes are Ogg Opus).
const VOICE_TYPES: &[&str] = &[
    "audio/ogg",
    "audio/opus",
    "audio/mpeg",
    "audio/mp4",
    "audio/aac",
    "audio/webm",
    "audio/wav",
    "audio/x-wav",
];

/// Files besides images and recordings: documents, archives, videos, and
/// `application/octet-stream` for what a sender's system could not name.
const DOCUMENT_TYPES: &[&str] = &[
    "application/pdf",
    "text/plain",
    "text/csv",
    "application/json",
    "application/rtf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/zip",
    "application/gzip",
    "application/x-7z-compressed",
    "video/mp4",
    "video/quicktime",
    "video/webm",
    "application/octet-stream",
];

/// The kind of a media message, which sets its size limit and MIME allow-list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    /// A picture shown inline.
    Image,
    /// Any allowed file, offered for download (images and recordings included).
    File,
    /// A voice note played inline.
    Voice,
}

impl MediaKind {
    /// Every kind.
    pub const ALL: [Self; 3] = [Self::Image, Self::File, Self::Voice];

    /// The wire name (`"image"`, `"file"`, `"voice"`), the message type's too.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::File => "file",
            Self::Voice => "voice",
        }
    }

    /// The kind of a wire name ([`Self::as_str`]'s inverse); `None` for any other text.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The message type of a message of this kind.
    #[must_use]
    pub const fn message_type(self) -> MessageType {
        match self {
            Self::Image => MessageType::Image,
            Self::File => MessageType::File,
            Self::Voice => MessageType::Voice,
        }
    }

    /// The largest object of this kind, in bytes.
    #[must_use]
    pub const fn max_size(self) -> u64 {
        match self {
            Self::Image => MAX_IMAGE_BYTES,
            Self::File => MAX_FILE_BYTES,
            Self::Voice => MAX_VOICE_BYTES,
        }
    }

    /// Whether this kind accepts `mime_type` (compared by [`mime_essence`]).
    #[must_use]
    pub fn allows(self, mime_type: &str) -> bool {
        let essence = mime_essence(mime_type);
        let listed = |list: &[&str]| list.contains(&essence.as_str());
        match self {
            Self::Image => listed(IMAGE_TYPES),
            Self::Voice => listed(VOICE_TYPES),
            Self::File => listed(IMAGE_TYPES) || listed(VOICE_TYPES) || listed(DOCUMENT_TYPES),
        }
    }

    /// The kind a client means when it names none: an image or a recording is shown or
    /// played inline, anything else allowed is a file; `None` when no kind allows it.
    #[must_use]
    pub fn for_mime_type(mime_type: &str) -> Option<Self> {
        [Self::Image, Self::Voice, Self::File]
            .into_iter()
            .find(|k| k.allows(mime_type))
    }

    /// Checks an object of this kind before it is stored or referenced.
    ///
    /// # Errors
    /// [`ChatError::MediaTypeNotAllowed`] for a MIME type outside the kind's list,
    /// [`ChatError::AttachmentEmpty`] for zero bytes, [`ChatError::AttachmentTooLarge`]
    /// beyond [`Self::max_size`].
    pub fn check(self, mime_type: &str, size: u64) -> Result<(), ChatError> {
        if !self.allows(mime_type) {
            return Err(ChatError::MediaTypeNotAllowed {
                kind: self,
                mime_type: mime_essence(mime_type),
            });
        }
        if size == 0 {
            return Err(ChatError::AttachmentEmpty);
        }
        if size > self.max_size() {
            return Err(ChatError::AttachmentTooLarge {
                max: self.max_size(),
                actual: size,
            });
        }
        Ok(())
    }
}

impl MessageType {
    /// The media kind of a media message; `None` for text.
    #[must_use]
    pub const fn media_kind(self) -> Option<MediaKind> {
        match self {
            Self::Text => None,
            Self::Image => Some(MediaKind::Image),
            Self::File => Some(MediaKind::File),
            Self::Voice => Some(MediaKind::Voice),
        }
    }
}

/// A MIME type's essence: lowercase, parameters and spaces dropped
/// (`"Audio/OGG; codecs=opus"` is `"audio/ogg"`).
#[must_use]
pub fn mime_essence(mime_type: &str) -> String {
    let essence = mime_type.split(';').next().unwrap_or_default();
    essence.trim().to_ascii_lowercase()
}

/// Checks a file name: one line of 1..=[`MAX_ATTACHMENT_NAME_CHARS`] characters.
///
/// # Errors
/// [`ChatError::AttachmentNameEmpty`], [`ChatError::InvalidText`] or
/// [`ChatError::AttachmentNameTooLong`].
pub fn validate_name(name: &str) -> Result<(), ChatError> {
    if name.trim().is_empty() {
        return Err(ChatError::AttachmentNameEmpty);
    }
    text::check("attachment.name", TextKind::SingleLine, name)?;
    let actual = name.chars().count();
    if actual > MAX_ATTACHMENT_NAME_CHARS {
        return Err(ChatError::AttachmentNameTooLong {
            max: MAX_ATTACHMENT_NAME_CHARS,
            actual,
        });
    }
    Ok(())
}

/// Checks what a send says of its file, for a message of `chat_id`: the key names an
/// object of this chat, the name is valid, and kind, MIME type and size agree.
///
/// # Errors
/// [`ChatError::AttachmentKeyInvalid`] for a key outside the chat's objects, then as
/// [`validate_name`] and [`MediaKind::check`].
pub fn check_media(chat_id: ChatId, media: &Media) -> Result<(), ChatError> {
    let a = &media.attachment;
    if a.upload_id_in(chat_id).is_none() {
        return Err(ChatError::AttachmentKeyInvalid);
    }
    validate_name(&a.name)?;
    media.kind.check(&a.mime_type, a.size)
}

/// A send's message type and file, after [`check_media`]: text without media, the
/// media kind's type with it.
///
/// # Errors
/// As [`check_media`].
pub fn accept(
    chat_id: ChatId,
    media: Option<Media>,
) -> Result<(MessageType, Option<Attachment>), ChatError> {
    match media {
        None => Ok((MessageType::Text, None)),
        Some(media) => {
            check_media(chat_id, &media)?;
            Ok((media.kind.message_type(), Some(media.attachment)))
        }
    }
}

/// Checks a message's content, which is a caption when the message carries a file: a
/// caption may be empty (or blank), plain text may not.
///
/// # Errors
/// As [`limits::validate_content`], except that blank content passes with a file.
pub fn validate_caption(content: &str, has_attachment: bool) -> Result<(), ChatError> {
    if has_attachment && content.trim().is_empty() {
        return Ok(text::check("content", TextKind::Multiline, content)?);
    }
    limits::validate_content(content)
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::chat::attachment::object_key;

    const CHAT: ChatId = ChatId::from_uuid(Uuid::from_u128(7));

    fn media(kind: MediaKind, mime_type: &str, size: u64) -> Media {
        Media {
            kind,
            attachment: Attachment {
                key: object_key(CHAT, Uuid::from_u128(1)),
                name: "photo.png".into(),
                size,
                mime_type: mime_type.into(),
                width: Some(640),
                height: Some(480),
                duration_secs: None,
            },
        }
    }

    #[test]
    fn each_kind_has_its_limit_inclusive() {
        for (kind, mime, max) in [
            (MediaKind::Image, "image/png", 20 * MIB),
            (MediaKind::Voice, "audio/ogg", 10 * MIB),
            (MediaKind::File, "application/pdf", 50 * MIB),
        ] {
            assert_eq!(kind.check(mime, max), Ok(()));
            assert_eq!(
                kind.check(mime, max + 1),
                Err(ChatError::AttachmentTooLarge {
                    max,
                    actual: max + 1
                })
            );
            assert_eq!(kind.check(mime, 0), Err(ChatError::AttachmentEmpty));
        }
    }

    #[test]
    fn mime_types_are_checked_by_essence_against_the_kind_list() {
        assert!(MediaKind::Voice.allows("Audio/OGG; codecs=opus"));
        assert!(MediaKind::File.allows("image/png"));
        assert!(!MediaKind::Image.allows("application/pdf"));
        assert!(!MediaKind::Image.allows("image/svg+xml"));
        assert_eq!(
            MediaKind::Image.check("text/html", 10),
            Err(ChatError::MediaTypeNotAllowed {
                kind: MediaKind::Image,
                mime_type: "text/html".into()
            })
        );
        assert_eq!(
            MediaKind::File.check("application/x-msdownload", 10),
            Err(ChatError::MediaTypeNotAllowed {
                kind: MediaKind::File,
                mime_type: "application/x-msdownload".into()
            })
        );
    }

    #[test]
    fn the_kind_follows_the_mime_type_when_not_named() {
        assert_eq!(
            MediaKind::for_mime_type("image/jpeg"),
            Some(MediaKind::Image)
        );
        assert_eq!(
            MediaKind::for_mime_type("audio/ogg;codecs=opus"),
            Some(MediaKind::Voice)
        );
        assert_eq!(
            MediaKind::for_mime_type("application/pdf"),
            Some(MediaKind::File)
        );
        assert_eq!(MediaKind::for_mime_type("text/html"), None);
    }

    #[test]
    fn kinds_and_message_types_correspond() {
        for kind in MediaKind::ALL {
            assert_eq!(kind.message_type().media_kind(), Some(kind));
            assert_eq!(MediaKind::from_name(kind.as_str()), Some(kind));
        }
        assert_eq!(MessageType::Text.media_kind(), None);
    }

    #[test]
    fn a_caption_may_be_empty_only_beside_a_file() {
        assert_eq!(validate_caption("", true), Ok(()));
        assert_eq!(validate_caption(" \n", true), Ok(()));
        assert_eq!(validate_caption("", false), Err(ChatError::MessageEmpty));
        assert!(matches!(
            validate_caption("\0", true),
            Err(ChatError::InvalidText(_))
        ));
        assert!(matches!(
            validate_caption(&"x".repeat(10_001), true),
            Err(ChatError::MessageTooLong { .. })
        ));
    }

    #[test]
    fn media_names_an_object_of_its_chat_with_a_valid_name() {
        let ok = media(MediaKind::Image, "image/png", 10);
        assert_eq!(check_media(CHAT, &ok), Ok(()));
        let other_chat = ChatId::from_uuid(Uuid::from_u128(8));
        assert_eq!(
            check_media(other_chat, &ok),
            Err(ChatError::AttachmentKeyInvalid)
        );
        let mut unnamed = ok.clone();
        unnamed.attachment.name = " ".into();
        assert_eq!(
            check_media(CHAT, &unnamed),
            Err(ChatError::AttachmentNameEmpty)
        );
        let mut long = ok.clone();
        long.attachment.name = "n".repeat(256);
        assert_eq!(
            check_media(CHAT, &long),
            Err(ChatError::AttachmentNameTooLong {
                max: 255,
                actual: 256
            })
        );
        let mut two_lines = ok;
        two_lines.attachment.name = "a\nb".into();
        assert!(matches!(
            check_media(CHAT, &two_lines),
            Err(ChatError::InvalidText(_))
        ));
    }
}
