//! Raw grammers updates into the port's types.

use grammers_mtsender::{InvocationError, RpcError};
use grammers_tl_types as tl;

use grammers_session::types::UpdateState;
use grammers_session::updates::{MessageBox, State};

use super::super::double::tl_build::{self, MessageFacts, header};
use super::{handled_position, map_error, map_update, sent_message_id};
use crate::limits::TextLimit;
use crate::ports::{GatewayError, TelegramMessage, TelegramUpdate};

/// Supergroup 1234567890 as a Bot API dialog id.
const GROUP: i64 = -1_001_234_567_890;
const CHANNEL_ID: i64 = 1_234_567_890;

fn channel() -> tl::enums::Peer {
    tl::types::PeerChannel {
        channel_id: CHANNEL_ID,
    }
    .into()
}

fn user(id: i64) -> tl::enums::Peer {
    tl::types::PeerUser { user_id: id }.into()
}

/// A message of the supergroup with the author, reply header and direction given (the
/// double's message, with those fields replaced).
fn raw_message(
    id: i32,
    from: Option<tl::enums::Peer>,
    text: &str,
    reply_to: Option<tl::enums::MessageReplyHeader>,
    out: bool,
) -> tl::enums::Message {
    let facts = MessageFacts {
        id,
        channel_id: CHANNEL_ID,
        from: 0,
        out,
        date: 1_700_000_000,
        edit_date: None,
        text,
        reply_to: None,
        topic: None,
    };
    let tl::enums::Message::Message(mut message) = tl_build::message(&facts) else {
        unreachable!("the double builds plain messages");
    };
    message.from_id = from;
    message.reply_to = reply_to;
    message.into()
}

fn new_message(message: tl::enums::Message) -> tl::enums::Update {
    tl::types::UpdateNewChannelMessage {
        message,
        pts: 1,
        pts_count: 1,
    }
    .into()
}

fn expected(id: i64, text: &str) -> TelegramMessage {
    TelegramMessage {
        chat_id: GROUP,
        topic_id: None,
        message_id: id,
        sender_id: 42,
        sender_name: "Bob".into(),
        text: text.into(),
        media: None,
        reply_to: None,
        outgoing: false,
    }
}

#[test]
fn a_supergroup_message_keeps_its_ids_sender_and_text() {
    let raw = new_message(raw_message(10, Some(user(42)), "hello", None, false));
    let got = map_update(&raw, Some("Bob"));
    assert_eq!(got, Some(TelegramUpdate::NewMessage(expected(10, "hello"))));
}

#[test]
fn a_reply_names_its_parent() {
    let raw = new_message(raw_message(
        11,
        Some(user(42)),
        "yes",
        Some(header(Some(10), None, false)),
        false,
    ));
    let Some(TelegramUpdate::NewMessage(m)) = map_update(&raw, Some("Bob")) else {
        panic!("a new message");
    };
    assert_eq!((m.topic_id, m.reply_to), (None, Some(10)));
}

#[test]
fn forum_topics_are_told_apart_from_replies() {
    // Posted in topic 5, not a reply.
    let in_topic = new_message(raw_message(
        12,
        Some(user(42)),
        "a",
        Some(header(Some(5), None, true)),
        false,
    ));
    let Some(TelegramUpdate::NewMessage(m)) = map_update(&in_topic, Some("Bob")) else {
        panic!("a new message");
    };
    assert_eq!((m.topic_id, m.reply_to), (Some(5), None));
    // A reply to 11 inside topic 5.
    let reply = new_message(raw_message(
        13,
        Some(user(42)),
        "b",
        Some(header(Some(11), Some(5), true)),
        false,
    ));
    let Some(TelegramUpdate::NewMessage(m)) = map_update(&reply, Some("Bob")) else {
        panic!("a new message");
    };
    assert_eq!((m.topic_id, m.reply_to), (Some(5), Some(11)));
}

#[test]
fn the_bridges_own_messages_are_marked_outgoing() {
    let raw = new_message(raw_message(14, Some(user(7)), "Alice: hi", None, true));
    let Some(TelegramUpdate::NewMessage(m)) = map_update(&raw, None) else {
        panic!("a new message");
    };
    assert!(m.outgoing);
    assert_eq!(m.sender_name, "Telegram user 7");
}

#[test]
fn edits_map_to_the_new_state_of_the_message() {
    let raw: tl::enums::Update = tl::types::UpdateEditChannelMessage {
        message: raw_message(10, Some(user(42)), "hello!", None, false),
        pts: 2,
        pts_count: 1,
    }
    .into();
    let got = map_update(&raw, Some("Bob"));
    assert_eq!(
        got,
        Some(TelegramUpdate::MessageEdited(expected(10, "hello!")))
    );
}

#[test]
fn supergroup_deletions_name_the_group() {
    let raw: tl::enums::Update = tl::types::UpdateDeleteChannelMessages {
        channel_id: CHANNEL_ID,
        messages: vec![10, 11],
        pts: 3,
        pts_count: 2,
    }
    .into();
    let got = map_update(&raw, None);
    assert_eq!(
        got,
        Some(TelegramUpdate::MessagesDeleted {
            chat_id: Some(GROUP),
            message_ids: vec![10, 11],
        })
    );
}

#[test]
fn service_messages_and_other_updates_are_not_mirrored() {
    let service = new_message(
        tl::types::MessageEmpty {
            id: 1,
            peer_id: Some(channel()),
        }
        .into(),
    );
    assert_eq!(map_update(&service, None), None);
    let typing: tl::enums::Update = tl::types::UpdateUserTyping {
        user_id: 42,
        top_msg_id: None,
        action: tl::types::SendMessageTypingAction {}.into(),
    }
    .into();
    assert_eq!(map_update(&typing, None), None);
}

fn rpc(code: i32, message: &str) -> InvocationError {
    InvocationError::Rpc(RpcError::from(tl::types::RpcError {
        error_code: code,
        error_message: message.into(),
    }))
}

#[test]
fn flood_waits_carry_their_seconds() {
    assert_eq!(
        map_error(&rpc(420, "FLOOD_WAIT_31")),
        GatewayError::FloodWait { seconds: 31 }
    );
}

#[test]
fn refusals_and_outages_are_told_apart() {
    assert_eq!(
        map_error(&rpc(400, "MESSAGE_ID_INVALID")),
        GatewayError::Rejected("MESSAGE_ID_INVALID".into())
    );
    assert!(matches!(
        map_error(&rpc(500, "INTERDC_2_CALL_ERROR")),
        GatewayError::Unavailable(_)
    ));
}

#[test]
fn a_signed_out_account_is_unauthorized_not_a_refusal() {
    for (code, name) in [
        (401, "AUTH_KEY_UNREGISTERED"),
        (401, "AUTH_KEY_INVALID"),
        (401, "SESSION_REVOKED"),
        (401, "SESSION_EXPIRED"),
        (401, "USER_DEACTIVATED"),
        (401, "USER_DEACTIVATED_BAN"),
        // Any 401, also one this list does not know yet.
        (401, "SESSION_PASSWORD_NEEDED"),
    ] {
        assert_eq!(
            map_error(&rpc(code, name)),
            GatewayError::Unauthorized(name.into()),
            "{name}"
        );
    }
}

#[test]
fn a_kicked_or_restricted_bot_has_no_access_not_a_refusal() {
    for (code, name) in [
        (403, "CHAT_WRITE_FORBIDDEN"),
        (406, "CHANNEL_PRIVATE"),
        (400, "CHANNEL_PRIVATE"),
        (400, "USER_BANNED_IN_CHANNEL"),
        (400, "CHAT_ADMIN_REQUIRED"),
        (400, "CHANNEL_INVALID"),
        (400, "PEER_ID_INVALID"),
    ] {
        assert_eq!(
            map_error(&rpc(code, name)),
            GatewayError::NoAccess(name.into()),
            "{code} {name}"
        );
    }
}

#[test]
fn texts_over_telegrams_limits_are_too_long_not_a_plain_refusal() {
    assert_eq!(
        map_error(&rpc(400, "MESSAGE_TOO_LONG")),
        GatewayError::TooLong(TextLimit::Message)
    );
    assert_eq!(
        map_error(&rpc(400, "MEDIA_CAPTION_TOO_LONG")),
        GatewayError::TooLong(TextLimit::Caption)
    );
}

#[test]
fn a_repeated_send_key_is_already_sent() {
    assert_eq!(
        map_error(&rpc(500, "RANDOM_ID_DUPLICATE")),
        GatewayError::AlreadySent
    );
}

#[test]
fn the_sent_message_id_is_found_by_its_random_id() {
    let short: tl::enums::Updates = tl::types::UpdateShortSentMessage {
        out: true,
        id: 77,
        pts: 1,
        pts_count: 1,
        date: 1_700_000_000,
        media: None,
        entities: None,
        ttl_period: None,
    }
    .into();
    assert_eq!(sent_message_id(&short, 5), Some(77));
    let listed: tl::enums::Updates = tl::types::Updates {
        updates: vec![
            tl::types::UpdateMessageId {
                id: 12,
                random_id: 4,
            }
            .into(),
            tl::types::UpdateMessageId {
                id: 13,
                random_id: 5,
            }
            .into(),
            new_message(raw_message(13, Some(user(7)), "Alice: hi", None, true)),
        ],
        users: vec![],
        chats: vec![],
        date: 1_700_000_000,
        seq: 0,
    }
    .into();
    assert_eq!(sent_message_id(&listed, 5), Some(13));
    assert_eq!(sent_message_id(&listed, 6), None);
}

#[test]
fn a_handled_update_saves_only_its_own_sequence() {
    let state = |message_box| State {
        date: 10,
        seq: 3,
        message_box,
    };
    let channel = state(Some(MessageBox::Channel {
        channel_id: CHANNEL_ID,
        pts: 41,
    }));
    assert!(matches!(
        handled_position(&channel),
        Some(UpdateState::Channel {
            id: CHANNEL_ID,
            pts: 41
        })
    ));
    let common = state(Some(MessageBox::Common { pts: 7 }));
    assert!(matches!(
        handled_position(&common),
        Some(UpdateState::Primary {
            pts: 7,
            date: 10,
            seq: 3
        })
    ));
    assert!(handled_position(&state(None)).is_none());
}
