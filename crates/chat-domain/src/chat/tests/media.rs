//! Rules of media messages: a file beside an optional caption, checked where it is sent,
//! and edits that change the caption only.

use crate::{
    ChatError, ChatEvent, MediaKind, MessageType,
    chat::{commands::ReceiveTelegramMessage, object_key},
    testing::{fixtures::*, given},
};

fn with_photo() -> Vec<ChatEvent> {
    History::group()
        .run(send_media(BOB, msg(1), "", png(1)))
        .events()
}

#[test]
fn a_member_sends_an_image_without_caption_and_the_event_carries_its_file() {
    let events = given(History::group().events())
        .when(send_media(BOB, msg(1), "", png(1)))
        .events();
    let [ChatEvent::MessageSent(sent)] = &events[..] else {
        panic!("one message_sent expected, got {events:?}")
    };
    assert_eq!(sent.message_type, MessageType::Image);
    assert_eq!(sent.attachment.as_ref(), Some(&png(1).attachment));
    assert_eq!(sent.content, "");
}

#[test]
fn text_still_needs_content() {
    given(History::group().events())
        .when(send(BOB, msg(1), " "))
        .then_err(ChatError::MessageEmpty);
}

#[test]
fn the_file_is_checked_against_its_kind() {
    let group = History::group().events();
    let mut huge = png(1);
    huge.attachment.size = 20 * 1024 * 1024 + 1;
    given(group.clone())
        .when(send_media(BOB, msg(1), "", huge))
        .then_err(ChatError::AttachmentTooLarge {
            max: 20 * 1024 * 1024,
            actual: 20 * 1024 * 1024 + 1,
        });
    let mut voice_png = png(1);
    voice_png.kind = MediaKind::Voice;
    given(group.clone())
        .when(send_media(BOB, msg(1), "", voice_png))
        .then_err(ChatError::MediaTypeNotAllowed {
            kind: MediaKind::Voice,
            mime_type: "image/png".to_owned(),
        });
    let mut elsewhere = png(1);
    elsewhere.attachment.key = object_key(
        crate::ChatId::from_uuid(uuid::Uuid::from_u128(1)),
        uuid::Uuid::from_u128(1),
    );
    given(group)
        .when(send_media(BOB, msg(1), "", elsewhere))
        .then_err(ChatError::AttachmentKeyInvalid);
}

#[test]
fn observers_cannot_send_files_and_rules_of_who_come_first() {
    let mut huge = png(1);
    huge.attachment.size = u64::MAX;
    given(History::group().events())
        .when(send_media(DAVE, msg(1), "", huge.clone()))
        .then_err(ChatError::ObserverCannotWrite);
    given(History::group().events())
        .when(send_media(EVE, msg(1), "", huge))
        .then_err(ChatError::NotAParticipant);
}

#[test]
fn an_edit_changes_the_caption_only_and_may_empty_it() {
    let captioned = History::group()
        .run(send_media(BOB, msg(1), "look", png(1)))
        .events();
    let events = given(captioned).when(edit(by(BOB), msg(1), "")).events();
    assert!(
        matches!(&events[..], [ChatEvent::MessageEdited(e)] if e.content.is_empty() && e.previous_content == "look")
    );
    // A text message's content cannot become empty.
    let text = History::group().run(send(BOB, msg(1), "hi")).events();
    given(text)
        .when(edit(by(BOB), msg(1), ""))
        .then_err(ChatError::MessageEmpty);
}

#[test]
fn the_message_index_keeps_the_key_after_a_delete_for_housekeeping() {
    let history = History::group()
        .run(send_media(BOB, msg(1), "", png(1)))
        .run(delete(by(BOB), msg(1)));
    let record = history.messages().message(msg(1)).cloned().unwrap();
    assert!(record.is_deleted());
    assert_eq!(record.attachment_key, Some(png(1).attachment.key));
    given(with_photo())
        .when(delete(by(ALICE), msg(1)))
        .then_accepted();
}

#[test]
fn the_bridge_posts_telegram_media() {
    let linked = History::group().run(link(ALICE, None)).events();
    let command = ReceiveTelegramMessage {
        media: Some(png(2)),
        ..telegram(msg(1), 501, "")
    };
    let events = given(linked).when(command).events();
    assert!(matches!(
        &events[..],
        [ChatEvent::TelegramMessageReceived(e)]
            if e.message_type == MessageType::Image && e.attachment == Some(png(2).attachment)
    ));
}
