//! Chat attachments and Telegram files, each into the other (pure, unit-tested): what a
//! Telegram message becomes in the chat (a text, or a file of a chat kind with its
//! caption; what the chat cannot keep becomes a placeholder saying what it was), and
//! how a chat file is posted in Telegram.

use chat_domain::chat::rules::media::{MAX_ATTACHMENT_NAME_CHARS, MediaKind, mime_essence};
use chat_domain::text::{TextKind, sanitize};
use chat_domain::{Attachment, ChatError, MessageType};

use crate::media::{FileKind, MAX_PHOTO_BYTES, MediaFile, TelegramMedia};
use crate::ports::TelegramMessage;

/// Image types Telegram takes as photos (it recompresses them as JPEG; an animated GIF
/// would stop moving, so it goes as a document, which Telegram plays).
const PHOTO_TYPES: &[&str] = &["image/jpeg", "image/png", "image/webp"];

/// Recordings Telegram plays as voice notes (the Bot API's `sendVoice`: OGG/Opus, MP3,
/// M4A); any other recording goes as a document.
const VOICE_TYPES: &[&str] = &["audio/ogg", "audio/opus", "audio/mpeg", "audio/mp4"];

/// What a Telegram message is in the chat.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming<'a> {
    /// A text message (placeholders included).
    Text(String),
    /// A file the chat keeps, of `kind`, with its caption.
    File {
        /// The chat's kind for it.
        kind: MediaKind,
        /// The file, as Telegram describes it.
        file: &'a MediaFile,
        /// The caption (maybe empty).
        caption: &'a str,
    },
}

/// What message `m` is in the chat: a file the chat's rules accept is a file; anything
/// else it carries is a placeholder before its text ([`with_placeholder`]).
#[must_use]
pub fn incoming(m: &TelegramMessage) -> Incoming<'_> {
    match &m.media {
        None => Incoming::Text(m.text.clone()),
        Some(TelegramMedia::File(file)) => match chat_kind(file) {
            Ok(kind) => Incoming::File {
                kind,
                file,
                caption: &m.text,
            },
            Err(why) => Incoming::Text(with_placeholder(&not_copied(file, &why), &m.text)),
        },
        Some(other) => Incoming::Text(with_placeholder(&other.to_string(), &m.text)),
    }
}

/// The chat kind a Telegram file is kept as: photos are images, voice notes are voice
/// notes, anything else is a file; a photo or voice note in a type the chat does not
/// show inline is kept as a file.
///
/// # Errors
/// The chat's rule it breaks: a type outside the allow-list, over the kind's size
/// limit, empty.
pub fn chat_kind(file: &MediaFile) -> Result<MediaKind, ChatError> {
    let preferred = match file.kind {
        FileKind::Photo => MediaKind::Image,
        FileKind::Voice => MediaKind::Voice,
        FileKind::Document | FileKind::Video | FileKind::Audio => MediaKind::File,
    };
    match preferred.check(&file.mime_type, file.size) {
        Err(ChatError::MediaTypeNotAllowed { .. }) if preferred != MediaKind::File => {
            MediaKind::File
                .check(&file.mime_type, file.size)
                .map(|()| MediaKind::File)
        }
        checked => checked.map(|()| preferred),
    }
}

/// The placeholder of a Telegram file the chat did not copy, and why:
/// `[video clip.mkv] (not copied: ...)`.
#[must_use]
pub fn not_copied(file: &MediaFile, why: &dyn std::fmt::Display) -> String {
    format!("{} (not copied: {why})", TelegramMedia::File(file.clone()))
}

/// `placeholder`, then the message's text on the next line when it has one.
#[must_use]
pub fn with_placeholder(placeholder: &str, text: &str) -> String {
    if text.trim().is_empty() {
        placeholder.to_owned()
    } else {
        format!("{placeholder}\n{text}")
    }
}

/// The attachment's name for a Telegram file: its own name (characters the chat refuses
/// replaced, cut to the chat's length), else one made of what it is and the message's
/// id (`photo-42.jpg`), as photos and voice notes have none.
#[must_use]
pub fn file_name(file: &MediaFile, telegram_message_id: i64) -> String {
    if let Some(name) = file.name.as_deref().map(str::trim)
        && !name.is_empty()
    {
        let name = sanitize(TextKind::SingleLine, name);
        return name.chars().take(MAX_ATTACHMENT_NAME_CHARS).collect();
    }
    let stem = match file.kind {
        FileKind::Photo => "photo",
        FileKind::Voice => "voice",
        FileKind::Video => "video",
        FileKind::Audio => "audio",
        FileKind::Document => "file",
    };
    let extension = match mime_essence(&file.mime_type).as_str() {
        "image/jpeg" => ".jpg",
        "image/png" => ".png",
        "image/webp" => ".webp",
        "image/gif" => ".gif",
        "audio/ogg" | "audio/opus" => ".ogg",
        "audio/mpeg" => ".mp3",
        "audio/mp4" => ".m4a",
        "video/mp4" => ".mp4",
        "application/pdf" => ".pdf",
        _ => "",
    };
    format!("{stem}-{telegram_message_id}{extension}")
}

/// How a chat file of `message_type` is posted in Telegram: an image as a photo (as a
/// document when Telegram would not keep it as one: an animated or too large image), a
/// voice note as a voice note when Telegram plays its type, anything else as a document.
#[must_use]
pub fn telegram_kind(message_type: MessageType, attachment: &Attachment) -> FileKind {
    let essence = mime_essence(&attachment.mime_type);
    match message_type {
        MessageType::Image
            if PHOTO_TYPES.contains(&essence.as_str()) && attachment.size <= MAX_PHOTO_BYTES =>
        {
            FileKind::Photo
        }
        MessageType::Voice if VOICE_TYPES.contains(&essence.as_str()) => FileKind::Voice,
        MessageType::Text | MessageType::Image | MessageType::File | MessageType::Voice => {
            FileKind::Document
        }
    }
}

/// The placeholder of a chat file that is not posted in Telegram (no object store is
/// configured): `[file report.pdf]`.
#[must_use]
pub fn placeholder_of(message_type: MessageType, attachment: &Attachment) -> String {
    let kind = match message_type {
        MessageType::Image => FileKind::Photo,
        MessageType::Voice => FileKind::Voice,
        MessageType::Text | MessageType::File => FileKind::Document,
    };
    format!("[{} {}]", kind.word(), attachment.name)
}

#[cfg(test)]
#[path = "attachments_tests.rs"]
mod tests;
