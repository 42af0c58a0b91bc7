//! Rules of read status: forward-only positions and exact unread counts.

use crate::{
    ChatError, ChatEvent,
    chat::events::MessagesMarkedAsRead,
    testing::{fixtures::*, given},
};

/// BOB sends 1 and 2, CAROL sends 3 (versions 6, 7, 8).
fn three_messages() -> History {
    History::group()
        .run(send(BOB, msg(1), "one"))
        .run(send(BOB, msg(2), "two"))
        .run(send(CAROL, msg(3), "three"))
}

fn marked(events: &[ChatEvent]) -> &MessagesMarkedAsRead {
    match events {
        [ChatEvent::MessagesMarkedAsRead(e)] => e,
        other => panic!("expected one MessagesMarkedAsRead, got {other:?}"),
    }
}

#[test]
fn marking_read_carries_the_exact_counts() {
    given(three_messages().events())
        .when(read(ALICE, msg(2)))
        .then([MessagesMarkedAsRead {
            chat_id: CHAT,
            version: 9,
            user_id: ALICE,
            last_read_message_id: msg(2),
            last_read_message_version: 7,
            marked_count: 2,
            unread_count: 1,
            read_at: T0,
        }]);
}

#[test]
fn own_messages_are_never_unread() {
    let history = three_messages();
    assert_eq!(history.unread_count(BOB), 1);
    assert_eq!(history.unread_count(CAROL), 2);
    let events = given(history.events()).when(read(BOB, msg(3))).events();
    assert_eq!(
        (marked(&events).marked_count, marked(&events).unread_count),
        (1, 0)
    );
}

#[test]
fn observers_may_mark_read() {
    let events = given(three_messages().events())
        .when(read(DAVE, msg(3)))
        .events();
    assert_eq!(marked(&events).marked_count, 3);
}

#[test]
fn only_participants_mark_read() {
    given(three_messages().events())
        .when(read(EVE, msg(1)))
        .then_err(ChatError::NotAParticipant);
}

#[test]
fn the_read_message_must_exist_in_the_chat() {
    given(three_messages().events())
        .when(read(ALICE, msg(9)))
        .then_err(ChatError::MessageNotFound);
}

#[test]
fn the_read_position_only_moves_forward() {
    let at_two = three_messages().run(read(ALICE, msg(2))).events();
    given(at_two.clone())
        .when(read(ALICE, msg(1)))
        .then_nothing();
    given(at_two.clone())
        .when(read(ALICE, msg(2)))
        .then_nothing();
    let events = given(at_two).when(read(ALICE, msg(3))).events();
    assert_eq!(marked(&events).last_read_message_version, 8);
}

#[test]
fn deleting_an_unread_message_removes_it_from_the_unread_count() {
    let history = three_messages().run(delete(by(BOB), msg(2)));
    assert_eq!(history.unread_count(ALICE), 2);
    // Reading past it does not count it as marked.
    let events = given(history.events()).when(read(ALICE, msg(3))).events();
    assert_eq!(
        (marked(&events).marked_count, marked(&events).unread_count),
        (2, 0)
    );
}

#[test]
fn messages_before_joining_are_not_unread() {
    let history = three_messages()
        .run(add(ALICE, EVE, crate::Role::Member))
        .run(send(BOB, msg(4), "four"));
    assert_eq!(history.unread_count(EVE), 1);
    // Reading an old message moves the position but marks nothing.
    let events = given(history.events()).when(read(EVE, msg(1))).events();
    assert_eq!(
        (marked(&events).marked_count, marked(&events).unread_count),
        (0, 1)
    );
}
