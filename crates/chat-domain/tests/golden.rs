//! Golden files pin the JSON wire form of every event and of the envelope.
//!
//! Each sample is serialised and compared with `tests/golden/<event_type>.json`, and
//! the file is deserialised back and compared with the sample, so a renamed type,
//! field or enum value fails here. After an intended (additive!) change, rewrite the
//! files with `UPDATE_GOLDEN=1 cargo test -p chat-domain --test golden` and review
//! the diff.

// Helpers outside `#[test]` fns are test code too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{collections::BTreeSet, fs, path::PathBuf};

use chat_domain::{
    Actor, Attachment, ChatEvent, ChatId, ChatType, CompanyId, EVENT_TYPES, Envelope, EnvelopeMeta,
    EventId, MessageId, MessageSource, MessageType, Role, UserId,
    chat::events::{
        ChatArchived, ChatCreated, ChatHardDeleted, ChatRestored, ChatUpdated, MessageDeleted,
        MessageEdited, MessageSent, MessagesMarkedAsRead, ParticipantAdded, ParticipantLeft,
        ParticipantRemoved, ParticipantRoleChanged, TelegramChatLinked, TelegramChatUnlinked,
        TelegramLinkChange, TelegramLinkChanged, TelegramMessageReceived,
    },
    projection_kind,
};
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

const CHAT: ChatId = ChatId::from_uuid(Uuid::from_u128(0x0195_0000_0000_7000_8000_0000_0000_0001));
const ALICE: UserId = UserId::from_uuid(Uuid::from_u128(0x0195_0000_0000_7000_8000_0000_0000_00a1));
const BOB: UserId = UserId::from_uuid(Uuid::from_u128(0x0195_0000_0000_7000_8000_0000_0000_00b0));

fn at() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_735_689_600).unwrap() + time::Duration::milliseconds(250)
}

fn message(n: u64) -> MessageId {
    let ts = uuid::Timestamp::from_gregorian_time(0x01EF_0000_0000_0000 + n, 0);
    MessageId::from_uuid(Uuid::new_v1(ts, &[2, 0, 0, 0, 0, 1]))
}

/// One fixed sample of every event.
fn samples() -> Vec<ChatEvent> {
    vec![
        ChatCreated {
            chat_id: CHAT,
            version: 1,
            chat_type: ChatType::Company,
            name: Some("general".into()),
            company_id: Some(CompanyId::from_uuid(Uuid::from_u128(0xc0))),
            created_by: ALICE,
            created_by_name: Some("Alice".into()),
            created_at: at(),
        }
        .into(),
        ChatUpdated {
            chat_id: CHAT,
            version: 4,
            name: Some("random".into()),
            previous_name: Some("general".into()),
            updated_by: ALICE,
            updated_at: at(),
        }
        .into(),
        ChatArchived {
            chat_id: CHAT,
            version: 9,
            archived_by: ALICE,
            archived_at: at(),
        }
        .into(),
        ChatRestored {
            chat_id: CHAT,
            version: 10,
            restored_by: ALICE,
            restored_at: at(),
        }
        .into(),
        ChatHardDeleted {
            chat_id: CHAT,
            version: 11,
            deleted_by: Actor::service("ops"),
            deleted_at: at(),
        }
        .into(),
        MessageSent {
            chat_id: CHAT,
            version: 5,
            message_id: message(1),
            sender_id: BOB,
            sender_name: Some("Bob".into()),
            content: "hello".into(),
            message_type: MessageType::Text,
            attachment: None,
            reply_to: None,
            source: MessageSource::Chat,
            created_at: at(),
        }
        .into(),
        MessageEdited {
            chat_id: CHAT,
            version: 6,
            message_id: message(1),
            content: "hello!".into(),
            previous_content: "hello".into(),
            edited_by: Actor::named_user(BOB, "Bob"),
            edited_at: at(),
        }
        .into(),
        MessageDeleted {
            chat_id: CHAT,
            version: 8,
            message_id: message(1),
            sender_id: Some(BOB),
            message_version: 5,
            deleted_by: Actor::user(ALICE),
            deleted_at: at(),
        }
        .into(),
        MessagesMarkedAsRead {
            chat_id: CHAT,
            version: 7,
            user_id: ALICE,
            last_read_message_id: message(1),
            last_read_message_version: 5,
            marked_count: 1,
            unread_count: 0,
            read_at: at(),
        }
        .into(),
        ParticipantAdded {
            chat_id: CHAT,
            version: 2,
            user_id: ALICE,
            role: Role::Admin,
            added_by: ALICE,
            joined_at: at(),
            participant_count: 1,
        }
        .into(),
        ParticipantRemoved {
            chat_id: CHAT,
            version: 12,
            user_id: BOB,
            role: Role::Member,
            removed_by: ALICE,
            removed_at: at(),
            participant_count: 1,
        }
        .into(),
        ParticipantRoleChanged {
            chat_id: CHAT,
            version: 13,
            user_id: BOB,
            role: Role::Observer,
            previous_role: Role::Member,
            changed_by: ALICE,
            changed_at: at(),
        }
        .into(),
        ParticipantLeft {
            chat_id: CHAT,
            version: 14,
            user_id: BOB,
            role: Role::Member,
            left_at: at(),
            participant_count: 1,
        }
        .into(),
        TelegramChatLinked {
            chat_id: CHAT,
            version: 15,
            telegram_chat_id: -1_001_234_567_890,
            telegram_topic_id: Some(7),
            linked_by: ALICE,
            linked_at: at(),
        }
        .into(),
        TelegramChatUnlinked {
            chat_id: CHAT,
            version: 17,
            telegram_chat_id: -1_001_234_567_890,
            telegram_topic_id: Some(7),
            unlinked_by: ALICE,
            unlinked_at: at(),
        }
        .into(),
        TelegramMessageReceived {
            chat_id: CHAT,
            version: 16,
            message_id: message(2),
            telegram_chat_id: -1_001_234_567_890,
            telegram_topic_id: Some(7),
            telegram_message_id: 501,
            telegram_user_id: 42,
            sender_name: "Tg User".into(),
            content: "from telegram".into(),
            message_type: MessageType::Text,
            attachment: None,
            reply_to: Some(message(1)),
            source: MessageSource::Telegram,
            created_at: at(),
        }
        .into(),
        TelegramLinkChanged {
            chat_id: CHAT,
            version: 18,
            telegram_chat_id: -1_001_234_567_890,
            telegram_topic_id: Some(7),
            change: TelegramLinkChange::Broken {
                reason: "CHANNEL_PRIVATE".into(),
            },
            notice_id: message(3),
            changed_at: at(),
        }
        .into(),
    ]
}

/// The media messages (an additive change: `<event_type>_media.json`), one of each
/// event that carries a file.
fn media_samples() -> Vec<(&'static str, ChatEvent)> {
    let file = |name: &str, mime_type: &str, upload: u128| Attachment {
        key: chat_domain::chat::object_key(CHAT, Uuid::from_u128(upload)),
        name: name.into(),
        size: 48_213,
        mime_type: mime_type.into(),
        width: None,
        height: None,
        duration_secs: None,
    };
    let mut samples = samples().into_iter();
    let Some(ChatEvent::MessageSent(mut sent)) = samples.nth(5) else {
        panic!("sample 5 is message_sent")
    };
    sent.content = String::new();
    sent.message_type = MessageType::Image;
    sent.attachment = Some(Attachment {
        width: Some(640),
        height: Some(480),
        ..file("photo.png", "image/png", 0xf1)
    });
    let Some(ChatEvent::TelegramMessageReceived(mut received)) = samples.nth(9) else {
        panic!("sample 15 is telegram_message_received")
    };
    received.content = "listen".into();
    received.message_type = MessageType::Voice;
    received.attachment = Some(Attachment {
        duration_secs: Some(7),
        ..file("voice.ogg", "audio/ogg", 0xf2)
    });
    vec![
        ("message_sent_media", sent.into()),
        ("telegram_message_received_media", received.into()),
    ]
}

fn envelope_sample() -> Envelope {
    let meta = EnvelopeMeta {
        actor: Actor::named_user(BOB, "Bob"),
        correlation_id: Uuid::from_u128(0xc0ffee),
        causation_id: Some(Uuid::from_u128(0xca05e)),
    };
    let sent = samples()
        .into_iter()
        .find(|e| e.event_type() == "message_sent")
        .unwrap();
    Envelope::new(sent, &meta)
}

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Compares `value` with the golden file `name` (or rewrites it under UPDATE_GOLDEN=1),
/// returning the file's text.
fn check_golden(name: &str, value: &Value) -> String {
    let path = golden_dir().join(format!("{name}.json"));
    let pretty = serde_json::to_string_pretty(value).unwrap() + "\n";
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        fs::create_dir_all(golden_dir()).unwrap();
        fs::write(&path, &pretty).unwrap();
    }
    let text = fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to create)",
            path.display()
        )
    });
    let golden: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        &golden,
        value,
        "wire form of {name} changed: compare with {}",
        path.display()
    );
    text
}

#[test]
fn every_event_matches_its_golden_file_both_ways() {
    for event in samples() {
        let name = event.event_type();
        let value = serde_json::to_value(&event).unwrap();
        assert_eq!(value["type"], name, "serde tag and event_type() differ");
        assert_eq!(
            value["chat_id"],
            CHAT.to_string(),
            "{name}: payload must carry chat_id"
        );
        assert_eq!(
            value["version"],
            event.version(),
            "{name}: payload must carry version"
        );
        let text = check_golden(name, &value);
        let back: ChatEvent = serde_json::from_str(&text).unwrap();
        assert_eq!(back, event, "{name}: golden file does not read back");
    }
}

#[test]
fn media_events_match_their_golden_files_both_ways_and_text_ones_carry_no_attachment() {
    for (name, event) in media_samples() {
        let value = serde_json::to_value(&event).unwrap();
        let text = check_golden(name, &value);
        let back: ChatEvent = serde_json::from_str(&text).unwrap();
        assert_eq!(back, event, "{name}: golden file does not read back");
    }
    for event in samples() {
        let value = serde_json::to_value(&event).unwrap();
        assert!(value.get("attachment").is_none(), "{}", event.event_type());
    }
}

#[test]
fn the_samples_cover_every_event_type_once_and_the_golden_dir_has_nothing_else() {
    let sampled: BTreeSet<_> = samples().iter().map(ChatEvent::event_type).collect();
    let known: BTreeSet<_> = EVENT_TYPES.iter().map(|(name, _)| *name).collect();
    assert_eq!(sampled, known);
    assert_eq!(sampled.len(), 17);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        // Tests run in parallel: write every file before listing the directory.
        for event in samples() {
            check_golden(event.event_type(), &serde_json::to_value(&event).unwrap());
        }
        check_golden(
            "envelope",
            &serde_json::to_value(envelope_sample()).unwrap(),
        );
        for (name, event) in media_samples() {
            check_golden(name, &serde_json::to_value(&event).unwrap());
        }
    }
    let mut files: BTreeSet<String> = fs::read_dir(golden_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(files.remove("envelope.json"));
    for (name, _) in media_samples() {
        assert!(files.remove(&format!("{name}.json")), "{name}.json missing");
    }
    let expected: BTreeSet<String> = known.iter().map(|n| format!("{n}.json")).collect();
    assert_eq!(files, expected, "stale or missing golden files");
}

#[test]
fn the_classification_table_agrees_with_the_events() {
    for event in samples() {
        assert_eq!(
            projection_kind(event.event_type()),
            Some(event.projection_kind())
        );
    }
}

#[test]
fn the_envelope_matches_its_golden_file_both_ways() {
    let envelope = envelope_sample();
    assert!(envelope.is_consistent());
    assert_eq!(envelope.event_id, EventId::for_event(CHAT, 5));
    let value = serde_json::to_value(&envelope).unwrap();
    assert_eq!(value["occurred_at"], "2025-01-01T00:00:00.25Z");
    let text = check_golden("envelope", &value);
    let back: Envelope = serde_json::from_str(&text).unwrap();
    assert_eq!(back, envelope);
}

#[test]
fn readers_ignore_unknown_fields_and_default_missing_optional_ones() {
    // Additive changes: a newer producer's extra field and an older producer's missing
    // optional fields must both still read.
    let mut value = serde_json::to_value(samples().remove(5)).unwrap();
    let object = value.as_object_mut().unwrap();
    object.insert("added_in_a_later_release".into(), Value::Bool(true));
    object.remove("sender_name");
    object.remove("reply_to");
    object.remove("message_type");
    let event: ChatEvent = serde_json::from_value(value).unwrap();
    let ChatEvent::MessageSent(sent) = event else {
        panic!("not message_sent")
    };
    assert_eq!(
        (sent.sender_name, sent.reply_to, sent.message_type),
        (None, None, MessageType::Text)
    );
}

#[test]
fn an_unknown_event_type_is_an_error_the_consumer_can_detect() {
    let err = serde_json::from_str::<ChatEvent>(r#"{"type":"chat_exploded","chat_id":"x"}"#);
    assert!(err.is_err());
    assert_eq!(projection_kind("chat_exploded"), None);
}
