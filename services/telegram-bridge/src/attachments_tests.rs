//! Telegram files into chat kinds and back.

use chat_domain::chat::rules::media::{MAX_FILE_BYTES, MAX_IMAGE_BYTES, MAX_VOICE_BYTES};

use super::*;

fn file(kind: FileKind, mime_type: &str, size: u64) -> MediaFile {
    MediaFile {
        kind,
        name: None,
        mime_type: mime_type.into(),
        size,
        width: None,
        height: None,
        duration_secs: None,
    }
}

fn message(text: &str, media: Option<TelegramMedia>) -> TelegramMessage {
    TelegramMessage {
        chat_id: -100,
        topic_id: None,
        message_id: 42,
        sender_id: 1,
        sender_name: "Tom".into(),
        text: text.into(),
        media,
        reply_to: None,
        outgoing: false,
    }
}

#[test]
fn photos_are_images_voice_notes_voice_and_the_rest_files() {
    assert_eq!(
        chat_kind(&file(FileKind::Photo, "image/jpeg", 10)),
        Ok(MediaKind::Image)
    );
    assert_eq!(
        chat_kind(&file(FileKind::Voice, "audio/ogg", 10)),
        Ok(MediaKind::Voice)
    );
    for kind in [FileKind::Document, FileKind::Video, FileKind::Audio] {
        assert_eq!(chat_kind(&file(kind, "video/mp4", 10)), Ok(MediaKind::File));
    }
    // A voice note the chat would not play inline is still kept, as a file.
    assert_eq!(
        chat_kind(&file(FileKind::Voice, "video/mp4", 10)),
        Ok(MediaKind::File)
    );
}

#[test]
fn the_chats_limits_hold_for_telegram_files_too() {
    let big_photo = file(FileKind::Photo, "image/jpeg", MAX_IMAGE_BYTES + 1);
    assert!(matches!(
        chat_kind(&big_photo),
        Err(ChatError::AttachmentTooLarge { .. })
    ));
    let long_voice = file(FileKind::Voice, "audio/ogg", MAX_VOICE_BYTES + 1);
    assert!(chat_kind(&long_voice).is_err());
    let big_file = file(FileKind::Document, "application/pdf", MAX_FILE_BYTES + 1);
    assert!(chat_kind(&big_file).is_err());
    let program = file(FileKind::Document, "application/x-msdownload", 10);
    assert!(matches!(
        chat_kind(&program),
        Err(ChatError::MediaTypeNotAllowed { .. })
    ));
}

#[test]
fn a_kept_file_carries_its_caption_and_the_rest_becomes_a_placeholder() {
    let photo = TelegramMedia::File(file(FileKind::Photo, "image/jpeg", 10));
    let m = message("look", Some(photo));
    assert!(matches!(
        incoming(&m),
        Incoming::File {
            kind: MediaKind::Image,
            caption: "look",
            ..
        }
    ));

    let sticker = TelegramMedia::Sticker {
        emoji: Some("😀".into()),
    };
    assert_eq!(
        incoming(&message("", Some(sticker))),
        Incoming::Text("[sticker 😀]".into())
    );
    let mut program = file(FileKind::Document, "application/x-msdownload", 10);
    program.name = Some("setup.exe".into());
    let Incoming::Text(text) = incoming(&message("run me", Some(TelegramMedia::File(program))))
    else {
        panic!("not kept");
    };
    assert!(
        text.starts_with("[file setup.exe] (not copied: application/x-msdownload is not allowed"),
        "{text}"
    );
    assert!(text.ends_with("\nrun me"), "{text}");
    assert_eq!(incoming(&message("hi", None)), Incoming::Text("hi".into()));
}

#[test]
fn a_file_without_a_name_is_named_by_what_it_is() {
    assert_eq!(
        file_name(&file(FileKind::Photo, "image/jpeg", 1), 42),
        "photo-42.jpg"
    );
    assert_eq!(
        file_name(&file(FileKind::Voice, "audio/ogg", 1), 7),
        "voice-7.ogg"
    );
    assert_eq!(
        file_name(&file(FileKind::Document, "application/x-unknown", 1), 7),
        "file-7"
    );
    let mut named = file(FileKind::Document, "application/pdf", 1);
    named.name = Some(format!(" {}\u{0}.pdf ", "r".repeat(300)));
    let name = file_name(&named, 1);
    assert_eq!(name.chars().count(), MAX_ATTACHMENT_NAME_CHARS);
    assert!(!name.contains('\u{0}'));
}

fn attachment(mime_type: &str, size: u64) -> Attachment {
    Attachment {
        key: "k".into(),
        name: "a".into(),
        size,
        mime_type: mime_type.into(),
        width: None,
        height: None,
        duration_secs: None,
    }
}

#[test]
fn chat_files_go_to_telegram_as_photos_voice_notes_or_documents() {
    let image = |mime, size| telegram_kind(MessageType::Image, &attachment(mime, size));
    assert_eq!(image("image/png", 100), FileKind::Photo);
    assert_eq!(image("image/gif", 100), FileKind::Document);
    assert_eq!(image("image/jpeg", MAX_PHOTO_BYTES + 1), FileKind::Document);
    let voice = |mime| telegram_kind(MessageType::Voice, &attachment(mime, 100));
    assert_eq!(voice("audio/ogg; codecs=opus"), FileKind::Voice);
    assert_eq!(voice("audio/wav"), FileKind::Document);
    let pdf = attachment("application/pdf", 100);
    assert_eq!(telegram_kind(MessageType::File, &pdf), FileKind::Document);
}

#[test]
fn a_chat_file_not_posted_says_what_it_was() {
    let pdf = Attachment {
        name: "report.pdf".into(),
        ..attachment("application/pdf", 1)
    };
    assert_eq!(placeholder_of(MessageType::File, &pdf), "[file report.pdf]");
    assert_eq!(
        placeholder_of(MessageType::Image, &pdf),
        "[photo report.pdf]"
    );
}
