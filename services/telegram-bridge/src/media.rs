//! What a Telegram message carries besides its text, in the bridge's terms: a file the
//! chat can store (photo, document, voice note, video, audio), or something it cannot
//! (sticker, poll, location, contact, ...), which the chat shows as a text placeholder
//! saying what it was, so nothing posted in Telegram arrives as nothing.
//!
//! Telegram's size limits on files live here too, for the fake to enforce and the
//! bridge to check before it downloads.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The largest file Telegram takes or hands out over MTProto: 4,000 parts of 512 KiB
/// (<https://core.telegram.org/api/files>: parts of at most 512 KiB, at most
/// `upload_max_fileparts_default` of them, 4,000 in <https://core.telegram.org/api/config>;
/// Premium accounts get more, bots never). The Bot API's 50 MB upload and 20 MB download
/// limits do not apply: the bridge speaks MTProto.
pub const MAX_FILE_BYTES: u64 = 4_000 * 512 * 1_024;

/// The largest photo Telegram takes as a photo (TDLib's `inputMessagePhoto`: "at most
/// 10 MB"); a larger image is sent as a document instead, which has only
/// [`MAX_FILE_BYTES`].
pub const MAX_PHOTO_BYTES: u64 = 10 * 1_024 * 1_024;

/// The kinds of Telegram media that are files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// A compressed photo (always JPEG).
    Photo,
    /// Any file sent as a file.
    Document,
    /// A voice note.
    Voice,
    /// A video (round video notes included).
    Video,
    /// A music file.
    Audio,
}

impl FileKind {
    /// The word a placeholder uses for it.
    #[must_use]
    pub const fn word(self) -> &'static str {
        match self {
            Self::Photo => "photo",
            Self::Document => "file",
            Self::Voice => "voice note",
            Self::Video => "video",
            Self::Audio => "audio",
        }
    }
}

/// A file attached to a Telegram message, as Telegram describes it (the bytes are
/// downloaded separately).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MediaFile {
    /// What it is.
    pub kind: FileKind,
    /// Its file name, when Telegram has one (photos and voice notes have none).
    pub name: Option<String>,
    /// Its MIME type (`image/jpeg` for photos).
    pub mime_type: String,
    /// Its size in bytes.
    pub size: u64,
    /// Width in pixels (photos, videos).
    pub width: Option<u32>,
    /// Height in pixels (photos, videos).
    pub height: Option<u32>,
    /// Length in seconds (voice notes, videos, audio).
    pub duration_secs: Option<u32>,
}

/// What a Telegram message carries besides its text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
// Tagged by `type`: a file's own `kind` says which kind of file.
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TelegramMedia {
    /// A file: photo, document, voice note, video or audio.
    #[serde(skip_deserializing)]
    File(MediaFile),
    /// A sticker, by the emoji it stands for.
    Sticker {
        /// The emoji, when the sticker names one.
        emoji: Option<String>,
    },
    /// A poll.
    Poll {
        /// Its question.
        question: String,
    },
    /// A point on the map (a venue or a live location too).
    Location {
        /// Degrees north.
        latitude: f64,
        /// Degrees east.
        longitude: f64,
    },
    /// A shared contact.
    Contact {
        /// The contact's name.
        name: String,
    },
    /// Anything else (a dice, a game, a story, an invoice, ...), by what it is.
    Other {
        /// What it is, in a word or two.
        what: String,
    },
}

impl TelegramMedia {
    /// The file, when it is one.
    #[must_use]
    pub const fn file(&self) -> Option<&MediaFile> {
        match self {
            Self::File(file) => Some(file),
            _ => None,
        }
    }
}

/// The text placeholder that stands for it in the chat: `[sticker 😀]`,
/// `[poll: Lunch?]`, `[location 55.75, 37.62]`, `[contact: Ann Lee]`, `[dice]`, and
/// for a file the chat could not take `[video clip.mp4]`.
impl fmt::Display for TelegramMedia {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File(file) => match &file.name {
                Some(name) => write!(f, "[{} {name}]", file.kind.word()),
                None => write!(f, "[{}]", file.kind.word()),
            },
            Self::Sticker { emoji: Some(emoji) } => write!(f, "[sticker {emoji}]"),
            Self::Sticker { emoji: None } => f.write_str("[sticker]"),
            Self::Poll { question } => write!(f, "[poll: {question}]"),
            Self::Location {
                latitude,
                longitude,
            } => write!(f, "[location {latitude:.2}, {longitude:.2}]"),
            Self::Contact { name } => write!(f, "[contact: {name}]"),
            Self::Other { what } => write!(f, "[{what}]"),
        }
    }
}

/// A chat file to post in Telegram.
#[derive(Debug, Clone, Copy)]
pub struct OutgoingFile<'a> {
    /// How Telegram shows it: [`FileKind::Photo`], [`FileKind::Voice`] or (anything
    /// else) [`FileKind::Document`].
    pub kind: FileKind,
    /// Its file name.
    pub name: &'a str,
    /// Its MIME type.
    pub mime_type: &'a str,
    /// Length in seconds (voice notes).
    pub duration_secs: Option<u32>,
    /// Its bytes.
    pub bytes: &'a [u8],
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(kind: FileKind, name: Option<&str>) -> TelegramMedia {
        TelegramMedia::File(MediaFile {
            kind,
            name: name.map(str::to_owned),
            mime_type: "application/octet-stream".into(),
            size: 1,
            width: None,
            height: None,
            duration_secs: None,
        })
    }

    #[test]
    fn each_kind_says_what_it_was() {
        let cases = [
            (
                TelegramMedia::Sticker {
                    emoji: Some("😀".into()),
                },
                "[sticker 😀]",
            ),
            (TelegramMedia::Sticker { emoji: None }, "[sticker]"),
            (
                TelegramMedia::Poll {
                    question: "Lunch?".into(),
                },
                "[poll: Lunch?]",
            ),
            (
                TelegramMedia::Location {
                    latitude: 55.7512,
                    longitude: 37.6184,
                },
                "[location 55.75, 37.62]",
            ),
            (
                TelegramMedia::Contact {
                    name: "Ann Lee".into(),
                },
                "[contact: Ann Lee]",
            ),
            (
                TelegramMedia::Other {
                    what: "dice".into(),
                },
                "[dice]",
            ),
            (file(FileKind::Video, Some("clip.mp4")), "[video clip.mp4]"),
            (file(FileKind::Voice, None), "[voice note]"),
        ];
        for (media, shown) in cases {
            assert_eq!(media.to_string(), shown);
        }
    }

    #[test]
    fn the_mtproto_file_limit_is_4000_parts_of_512_kib() {
        assert_eq!(MAX_FILE_BYTES, 2_097_152_000);
    }
}
