//! What a media message carries about its file: the [`Attachment`] facts, and where the
//! bytes live in the object store.
//!
//! The bytes never travel in an event; only the object key and the facts a client shows
//! (name, size, MIME type, image size, voice length) do. Every object of a chat lives
//! under one prefix ([`chat_object_prefix`]), so a hard delete removes them all with one
//! listing, and a message can only name an object of its own chat.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::chat::rules::media::MediaKind;
use crate::ids::ChatId;

/// The file of a media message (`image`, `file` or `voice`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Attachment {
    /// The object key in the store: [`object_key`] of the chat and the upload.
    pub key: String,
    /// The file name shown and offered when saving.
    pub name: String,
    /// The size in bytes, as stored.
    pub size: u64,
    /// The MIME type's essence (`image/png`: lowercase, no parameters).
    pub mime_type: String,
    /// An image's width in pixels, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// An image's height in pixels, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// A voice note's length in seconds, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_secs: Option<u32>,
}

impl Attachment {
    /// The upload this attachment's key names in `chat_id`, or `None` when the key is not
    /// one [`object_key`] makes for that chat (another chat's object, or a made-up key).
    #[must_use]
    pub fn upload_id_in(&self, chat_id: ChatId) -> Option<Uuid> {
        let rest = self.key.strip_prefix(&chat_object_prefix(chat_id))?;
        let id = Uuid::try_parse(rest).ok()?;
        // Only the hyphenated form `object_key` writes: one object, one spelling.
        (id.hyphenated().to_string() == rest).then_some(id)
    }
}

/// What a command says of a media message: its kind and its file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Media {
    /// Image, file or voice note: the message's type.
    pub kind: MediaKind,
    /// The file.
    pub attachment: Attachment,
}

/// The prefix every object of `chat_id` shares: `chats/{chat_id}/`.
#[must_use]
pub fn chat_object_prefix(chat_id: ChatId) -> String {
    format!("chats/{chat_id}/")
}

/// The object key of upload `upload_id` in `chat_id`: `chats/{chat_id}/{upload_id}`.
#[must_use]
pub fn object_key(chat_id: ChatId, upload_id: Uuid) -> String {
    format!("{}{}", chat_object_prefix(chat_id), upload_id.hyphenated())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHAT: ChatId = ChatId::from_uuid(Uuid::from_u128(7));

    fn with_key(key: String) -> Attachment {
        Attachment {
            key,
            name: "a.png".into(),
            size: 1,
            mime_type: "image/png".into(),
            width: None,
            height: None,
            duration_secs: None,
        }
    }

    #[test]
    fn keys_share_the_chat_prefix_and_name_their_upload() {
        let upload = Uuid::from_u128(9);
        let key = object_key(CHAT, upload);
        assert_eq!(
            key,
            "chats/00000000-0000-0000-0000-000000000007/00000000-0000-0000-0000-000000000009"
        );
        assert!(key.starts_with(&chat_object_prefix(CHAT)));
        assert_eq!(with_key(key).upload_id_in(CHAT), Some(upload));
    }

    #[test]
    fn a_key_of_another_chat_or_made_up_names_no_upload() {
        let other = ChatId::from_uuid(Uuid::from_u128(8));
        let upload = Uuid::from_u128(9);
        assert_eq!(with_key(object_key(other, upload)).upload_id_in(CHAT), None);
        let prefix = chat_object_prefix(CHAT);
        for rest in ["", "x", "../other", "00000000000000000000000000000009"] {
            assert_eq!(with_key(format!("{prefix}{rest}")).upload_id_in(CHAT), None);
        }
    }

    #[test]
    fn optional_facts_are_left_out_of_the_json_and_default_when_missing() {
        let json = serde_json::to_value(with_key("k".into())).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"key": "k", "name": "a.png", "size": 1, "mime_type": "image/png"})
        );
        let back: Attachment = serde_json::from_value(json).unwrap();
        assert_eq!(back, with_key("k".into()));
    }
}
