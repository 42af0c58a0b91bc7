//! Rules of messages: send, edit, delete.

use crate::{
    Actor, ChatError, ChatEvent, MessageSource, MessageType, Role,
    chat::{
        commands::SendMessage,
        events::{MessageDeleted, MessageEdited, MessageSent},
    },
    ids::MessageId,
    testing::{fixtures::*, given},
};

fn with_hello() -> Vec<ChatEvent> {
    History::group().run(send(BOB, msg(1), "hello")).events()
}

#[test]
fn a_member_sends_a_message_with_every_fact_the_projection_needs() {
    let command = SendMessage {
        actor: Actor::named_user(BOB, "Bob"),
        ..send(BOB, msg(1), "hello")
    };
    given(History::group().events())
        .when(command)
        .then([MessageSent {
            chat_id: CHAT,
            version: 6,
            message_id: msg(1),
            sender_id: BOB,
            sender_name: Some("Bob".to_owned()),
            content: "hello".to_owned(),
            message_type: MessageType::Text,
            attachment: None,
            reply_to: None,
            source: MessageSource::Chat,
            created_at: T0,
        }]);
}

#[test]
fn admins_send_too() {
    given(History::group().events())
        .when(send(ALICE, msg(1), "hi"))
        .then_accepted();
}

#[test]
fn observers_cannot_send() {
    given(History::group().events())
        .when(send(DAVE, msg(1), "hi"))
        .then_err(ChatError::ObserverCannotWrite);
}

#[test]
fn only_participants_send() {
    given(History::group().events())
        .when(send(EVE, msg(1), "hi"))
        .then_err(ChatError::NotAParticipant);
}

#[test]
fn a_service_cannot_send_as_a_user() {
    given(History::group().events())
        .when(SendMessage {
            actor: bridge(),
            ..send(BOB, msg(1), "hi")
        })
        .then_err(ChatError::ServiceActorNotAllowed);
}

#[test]
fn message_content_is_1_to_10000_characters_and_not_blank() {
    let group = History::group().events();
    given(group.clone())
        .when(send(BOB, msg(1), &"ß".repeat(10_000)))
        .then_accepted();
    given(group.clone())
        .when(send(BOB, msg(1), &"ß".repeat(10_001)))
        .then_err(ChatError::MessageTooLong {
            max: 10_000,
            actual: 10_001,
        });
    given(group.clone())
        .when(send(BOB, msg(1), ""))
        .then_err(ChatError::MessageEmpty);
    given(group)
        .when(send(BOB, msg(1), " \n "))
        .then_err(ChatError::MessageEmpty);
}

#[test]
fn message_ids_are_new_timeuuids() {
    let not_v1 = MessageId::from_uuid(uuid::Uuid::from_u128(5));
    given(History::group().events())
        .when(send(BOB, not_v1, "hi"))
        .then_err(ChatError::MessageIdNotTimeUuid);
    given(with_hello())
        .when(send(CAROL, msg(1), "again"))
        .then_err(ChatError::MessageAlreadyExists);
}

#[test]
fn replies_reference_a_message_of_this_chat() {
    let reply = |to| SendMessage {
        reply_to: Some(to),
        ..send(CAROL, msg(2), "re")
    };
    let events = given(with_hello()).when(reply(msg(1))).events();
    assert!(matches!(&events[..], [ChatEvent::MessageSent(e)] if e.reply_to == Some(msg(1))));
    given(with_hello())
        .when(reply(msg(9)))
        .then_err(ChatError::ReplyTargetNotFound);
    // A deleted message still exists (shown as deleted): replying to it is fine.
    let deleted = History::group()
        .run(send(BOB, msg(1), "hello"))
        .run(delete(by(BOB), msg(1)))
        .events();
    given(deleted).when(reply(msg(1))).then_accepted();
}

#[test]
fn the_sender_edits_and_the_edit_keeps_the_previous_content() {
    given(with_hello())
        .when(edit(by(BOB), msg(1), "hello!"))
        .then([MessageEdited {
            chat_id: CHAT,
            version: 7,
            message_id: msg(1),
            content: "hello!".to_owned(),
            previous_content: "hello".to_owned(),
            edited_by: by(BOB),
            edited_at: T0,
        }]);
    // The next edit's history starts from this one.
    let edited =
        History::group()
            .run(send(BOB, msg(1), "hello"))
            .run(edit(by(BOB), msg(1), "hello!"));
    let content = edited
        .messages()
        .message(msg(1))
        .and_then(|m| m.content.clone());
    let events = given(edited.events())
        .when(edit(by(BOB), msg(1), "hello!!"))
        .events();
    assert!(matches!(&events[..], [ChatEvent::MessageEdited(e)] if e.previous_content == "hello!"));
    assert_eq!(content.as_deref(), Some("hello!"));
}

#[test]
fn only_the_sender_edits_not_even_an_admin() {
    given(with_hello())
        .when(edit(by(CAROL), msg(1), "x"))
        .then_err(ChatError::NotMessageSender);
    given(with_hello())
        .when(edit(by(ALICE), msg(1), "x"))
        .then_err(ChatError::NotMessageSender);
    given(with_hello())
        .when(edit(by(EVE), msg(1), "x"))
        .then_err(ChatError::NotAParticipant);
}

#[test]
fn a_sender_demoted_to_observer_can_no_longer_edit() {
    let demoted = History::group()
        .run(send(BOB, msg(1), "hello"))
        .run(set_role(ALICE, BOB, Role::Observer))
        .events();
    given(demoted)
        .when(edit(by(BOB), msg(1), "x"))
        .then_err(ChatError::ObserverCannotWrite);
}

#[test]
fn a_deleted_message_cannot_be_edited() {
    let deleted = History::group()
        .run(send(BOB, msg(1), "hello"))
        .run(delete(by(BOB), msg(1)))
        .events();
    given(deleted)
        .when(edit(by(BOB), msg(1), "back"))
        .then_err(ChatError::MessageIsDeleted);
}

#[test]
fn editing_an_unknown_message_finds_nothing() {
    given(with_hello())
        .when(edit(by(BOB), msg(2), "x"))
        .then_err(ChatError::MessageNotFound);
}

#[test]
fn an_edit_to_the_same_content_is_a_no_op() {
    given(with_hello())
        .when(edit(by(BOB), msg(1), "hello"))
        .then_nothing();
}

#[test]
fn edits_respect_the_content_limits() {
    given(with_hello())
        .when(edit(by(BOB), msg(1), &"x".repeat(10_001)))
        .then_err(ChatError::MessageTooLong {
            max: 10_000,
            actual: 10_001,
        });
    given(with_hello())
        .when(edit(by(BOB), msg(1), "  "))
        .then_err(ChatError::MessageEmpty);
}

#[test]
fn the_sender_deletes_and_the_event_carries_position_and_sender() {
    given(with_hello())
        .when(delete(by(BOB), msg(1)))
        .then([MessageDeleted {
            chat_id: CHAT,
            version: 7,
            message_id: msg(1),
            sender_id: Some(BOB),
            message_version: 6,
            deleted_by: by(BOB),
            deleted_at: T0,
        }]);
}

#[test]
fn an_admin_deletes_anyones_message() {
    let events = given(with_hello()).when(delete(by(ALICE), msg(1))).events();
    assert!(matches!(&events[..], [ChatEvent::MessageDeleted(e)] if e.deleted_by == by(ALICE)));
}

#[test]
fn other_members_cannot_delete() {
    given(with_hello())
        .when(delete(by(CAROL), msg(1)))
        .then_err(ChatError::NotSenderOrAdmin);
    given(with_hello())
        .when(delete(by(DAVE), msg(1)))
        .then_err(ChatError::ObserverCannotWrite);
    given(with_hello())
        .when(delete(by(EVE), msg(1)))
        .then_err(ChatError::NotAParticipant);
    given(with_hello())
        .when(delete(bridge(), msg(1)))
        .then_err(ChatError::NotSenderOrAdmin);
}

#[test]
fn deleting_a_deleted_message_is_a_no_op_and_unknown_ones_are_not_found() {
    let deleted = History::group()
        .run(send(BOB, msg(1), "hello"))
        .run(delete(by(BOB), msg(1)))
        .events();
    given(deleted.clone())
        .when(delete(by(BOB), msg(1)))
        .then_nothing();
    // Permission is still checked first.
    given(deleted)
        .when(delete(by(CAROL), msg(1)))
        .then_err(ChatError::NotSenderOrAdmin);
    given(with_hello())
        .when(delete(by(BOB), msg(2)))
        .then_err(ChatError::MessageNotFound);
}
