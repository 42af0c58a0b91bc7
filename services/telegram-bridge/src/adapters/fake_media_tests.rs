//! The fake's media: files with their bytes, other media, and Telegram's limits on both.

use super::*;
use crate::limits::TextLimit;
use crate::media::{FileKind, MAX_PHOTO_BYTES};

const GROUP: TelegramTarget = TelegramTarget {
    chat_id: -100,
    topic_id: None,
};

fn document(bytes: &[u8]) -> OutgoingFile<'_> {
    OutgoingFile {
        kind: FileKind::Document,
        name: "report.pdf",
        mime_type: "application/pdf",
        duration_secs: None,
        bytes,
    }
}

#[tokio::test]
async fn a_users_photo_comes_as_an_update_and_its_bytes_download() {
    let telegram = FakeTelegram::new();
    let bridge = telegram.connect();
    let photo = UserFile::new(FileKind::Photo, "image/jpeg", b"jpeg bytes".to_vec());

    let id = telegram
        .post_file_as_user(GROUP, (1, "Tom"), photo, "", None)
        .expect("posted");

    let Delivery {
        update: TelegramUpdate::NewMessage(message),
        ..
    } = bridge.next_update().await.expect("an update")
    else {
        panic!("a new message");
    };
    let Some(TelegramMedia::File(file)) = message.media else {
        panic!("a file: {:?}", message.media);
    };
    assert_eq!((file.kind, file.size), (FileKind::Photo, 10));
    assert_eq!(file.mime_type, "image/jpeg");
    assert_eq!(
        bridge.download_file(GROUP.chat_id, id).await,
        Ok(b"jpeg bytes".to_vec())
    );
}

#[tokio::test]
async fn the_bridges_document_keeps_its_name_type_caption_and_bytes() {
    let telegram = FakeTelegram::new();
    let bridge = telegram.connect();

    let id = bridge
        .send_file(GROUP, document(b"%PDF"), "Alice: the report", None, 1)
        .await
        .expect("posted");

    let posted = &telegram.messages(GROUP.chat_id)[0];
    assert_eq!(posted.text, "Alice: the report");
    let file = posted
        .media
        .as_ref()
        .and_then(TelegramMedia::file)
        .expect("a file");
    assert_eq!(file.kind, FileKind::Document);
    assert_eq!(file.name.as_deref(), Some("report.pdf"));
    assert_eq!(file.mime_type, "application/pdf");
    assert_eq!(telegram.file(GROUP.chat_id, id), Some(b"%PDF".to_vec()));
    // The same key posts nothing new.
    assert_eq!(
        bridge
            .send_file(GROUP, document(b"%PDF"), "again", None, 1)
            .await,
        Err(GatewayError::AlreadySent)
    );
}

#[tokio::test]
async fn a_caption_over_1024_utf16_code_units_is_refused_in_posts_and_edits() {
    let telegram = FakeTelegram::new();
    let bridge = telegram.connect();
    let too_long = "😀".repeat(513);

    assert_eq!(
        bridge
            .send_file(GROUP, document(b"x"), &too_long, None, 1)
            .await,
        Err(GatewayError::TooLong(TextLimit::Caption))
    );
    let file = UserFile::new(FileKind::Document, "text/plain", b"x".to_vec());
    assert_eq!(
        telegram.post_file_as_user(GROUP, (1, "Tom"), file, &too_long, None),
        Err(GatewayError::TooLong(TextLimit::Caption))
    );
    assert!(telegram.messages(GROUP.chat_id).is_empty());

    let id = bridge
        .send_file(GROUP, document(b"x"), "short", None, 1)
        .await
        .expect("posted");
    assert_eq!(
        bridge.edit_message(GROUP.chat_id, id, &too_long).await,
        Err(GatewayError::TooLong(TextLimit::Caption))
    );
    // Within the caption limit, a caption changes.
    let caption = "😀".repeat(512);
    assert_eq!(
        bridge.edit_message(GROUP.chat_id, id, &caption).await,
        Ok(())
    );
    assert_eq!(telegram.messages(GROUP.chat_id)[0].text, caption);
}

#[tokio::test]
async fn a_photo_over_10_mb_is_refused_and_a_document_of_that_size_is_not() {
    let telegram = FakeTelegram::new();
    let bridge = telegram.connect();
    let big = vec![0_u8; usize::try_from(MAX_PHOTO_BYTES).expect("fits") + 1];
    let photo = OutgoingFile {
        kind: FileKind::Photo,
        ..document(&big)
    };

    assert!(matches!(
        bridge.send_file(GROUP, photo, "", None, 1).await,
        Err(GatewayError::Rejected(_))
    ));
    assert!(
        bridge
            .send_file(GROUP, document(&big), "", None, 1)
            .await
            .is_ok()
    );
}

#[test]
fn stickers_polls_locations_and_contacts_are_posted_without_a_file() {
    let telegram = FakeTelegram::new();
    let sticker = TelegramMedia::Sticker {
        emoji: Some("😀".into()),
    };
    let id = telegram
        .post_media_as_user(GROUP, (1, "Tom"), sticker.clone())
        .expect("posted");
    assert_eq!(telegram.messages(GROUP.chat_id)[0].media, Some(sticker));
    assert_eq!(telegram.file(GROUP.chat_id, id), None);

    let as_media =
        TelegramMedia::File(UserFile::new(FileKind::Photo, "image/png", vec![1]).describe());
    assert!(
        telegram
            .post_media_as_user(GROUP, (1, "Tom"), as_media)
            .is_err()
    );
}

#[tokio::test]
async fn a_message_without_a_file_has_nothing_to_download() {
    let telegram = FakeTelegram::new();
    let bridge = telegram.connect();
    let id = telegram
        .post_as_user(GROUP, (1, "Tom"), "text", None)
        .expect("posted");
    assert!(matches!(
        bridge.download_file(GROUP.chat_id, id).await,
        Err(GatewayError::Rejected(_))
    ));
}
