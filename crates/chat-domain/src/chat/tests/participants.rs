//! Rules of participants: add, remove, leave, change role.

use crate::{
    ChatError, ChatEvent, Role,
    chat::events::{ParticipantAdded, ParticipantLeft, ParticipantRemoved, ParticipantRoleChanged},
    testing::{fixtures::*, given},
};

fn direct() -> Vec<ChatEvent> {
    History::new().run(create_direct(ALICE, BOB)).events()
}

#[test]
fn admins_add_participants_with_a_role_and_the_new_count() {
    given(History::group().events())
        .when(add(ALICE, EVE, Role::Member))
        .then([ParticipantAdded {
            chat_id: CHAT,
            version: 6,
            user_id: EVE,
            role: Role::Member,
            added_by: ALICE,
            joined_at: T0,
            participant_count: 5,
        }]);
}

#[test]
fn members_cannot_add() {
    given(History::group().events())
        .when(add(BOB, EVE, Role::Member))
        .then_err(ChatError::NotAnAdmin);
    given(History::group().events())
        .when(add(EVE, EVE, Role::Member))
        .then_err(ChatError::NotAParticipant);
}

#[test]
fn adding_a_participant_twice_conflicts() {
    given(History::group().events())
        .when(add(ALICE, BOB, Role::Admin))
        .then_err(ChatError::AlreadyParticipant);
}

#[test]
fn a_participant_who_left_can_be_added_again() {
    given(History::group().run(leave(BOB)).events())
        .when(add(ALICE, BOB, Role::Member))
        .then_accepted();
}

#[test]
fn admins_remove_others_and_the_event_carries_the_new_count() {
    given(History::group().events())
        .when(remove(ALICE, BOB))
        .then([ParticipantRemoved {
            chat_id: CHAT,
            version: 6,
            user_id: BOB,
            role: Role::Member,
            removed_by: ALICE,
            removed_at: T0,
            participant_count: 3,
        }]);
}

#[test]
fn an_admin_may_remove_another_admin() {
    let two_admins = History::group()
        .run(set_role(ALICE, BOB, Role::Admin))
        .events();
    given(two_admins).when(remove(BOB, ALICE)).then_accepted();
}

#[test]
fn members_cannot_remove() {
    given(History::group().events())
        .when(remove(BOB, CAROL))
        .then_err(ChatError::NotAnAdmin);
}

#[test]
fn removing_oneself_is_leaving() {
    given(History::group().events())
        .when(remove(ALICE, ALICE))
        .then_err(ChatError::CannotRemoveSelf);
}

#[test]
fn removing_a_non_participant_finds_nothing() {
    given(History::group().events())
        .when(remove(ALICE, EVE))
        .then_err(ChatError::ParticipantNotFound);
}

#[test]
fn anyone_may_leave() {
    given(History::group().events())
        .when(leave(DAVE))
        .then([ParticipantLeft {
            chat_id: CHAT,
            version: 6,
            user_id: DAVE,
            role: Role::Observer,
            left_at: T0,
            participant_count: 3,
        }]);
    given(History::group().events())
        .when(leave(EVE))
        .then_err(ChatError::NotAParticipant);
}

#[test]
fn the_last_admin_cannot_leave_while_others_remain() {
    given(History::group().events())
        .when(leave(ALICE))
        .then_err(ChatError::LastAdminCannotLeave);
}

#[test]
fn an_admin_may_leave_after_handing_over() {
    let handed_over = History::group()
        .run(set_role(ALICE, BOB, Role::Admin))
        .events();
    given(handed_over).when(leave(ALICE)).then_accepted();
}

#[test]
fn the_last_participant_may_leave() {
    let alone = History::group()
        .run(remove(ALICE, BOB))
        .run(remove(ALICE, CAROL))
        .run(remove(ALICE, DAVE));
    let state = given(alone.events()).when(leave(ALICE)).then_accepted();
    assert_eq!(
        state
            .data()
            .map(crate::chat::state::ChatData::participant_count),
        Some(0)
    );
}

#[test]
fn admins_change_roles_and_the_event_carries_the_previous_role() {
    given(History::group().events())
        .when(set_role(ALICE, DAVE, Role::Member))
        .then([ParticipantRoleChanged {
            chat_id: CHAT,
            version: 6,
            user_id: DAVE,
            role: Role::Member,
            previous_role: Role::Observer,
            changed_by: ALICE,
            changed_at: T0,
        }]);
}

#[test]
fn a_promoted_observer_may_write() {
    given(
        History::group()
            .run(set_role(ALICE, DAVE, Role::Member))
            .events(),
    )
    .when(send(DAVE, msg(1), "finally"))
    .then_accepted();
}

#[test]
fn members_cannot_change_roles() {
    given(History::group().events())
        .when(set_role(BOB, BOB, Role::Admin))
        .then_err(ChatError::NotAnAdmin);
}

#[test]
fn changing_the_role_of_a_non_participant_finds_nothing() {
    given(History::group().events())
        .when(set_role(ALICE, EVE, Role::Member))
        .then_err(ChatError::ParticipantNotFound);
}

#[test]
fn setting_the_current_role_is_a_no_op() {
    given(History::group().events())
        .when(set_role(ALICE, BOB, Role::Member))
        .then_nothing();
}

#[test]
fn the_last_admin_cannot_be_demoted_even_when_alone() {
    given(History::group().events())
        .when(set_role(ALICE, ALICE, Role::Member))
        .then_err(ChatError::LastAdminCannotBeDemoted);
    let alone = History::group()
        .run(remove(ALICE, BOB))
        .run(remove(ALICE, CAROL))
        .run(remove(ALICE, DAVE));
    given(alone.events())
        .when(set_role(ALICE, ALICE, Role::Observer))
        .then_err(ChatError::LastAdminCannotBeDemoted);
}

#[test]
fn an_admin_may_step_down_when_another_admin_remains() {
    let two_admins = History::group()
        .run(set_role(ALICE, BOB, Role::Admin))
        .events();
    given(two_admins)
        .when(set_role(ALICE, ALICE, Role::Member))
        .then_accepted();
}

#[test]
fn a_direct_chats_participants_and_roles_are_fixed() {
    given(direct())
        .when(add(ALICE, CAROL, Role::Member))
        .then_err(ChatError::DirectChatParticipantsFixed);
    given(direct())
        .when(remove(ALICE, BOB))
        .then_err(ChatError::DirectChatParticipantsFixed);
    given(direct())
        .when(leave(BOB))
        .then_err(ChatError::DirectChatParticipantsFixed);
    given(direct())
        .when(set_role(ALICE, BOB, Role::Member))
        .then_err(ChatError::DirectChatParticipantsFixed);
    // Both sides are admins and write normally.
    given(direct())
        .when(send(BOB, msg(1), "hi"))
        .then_accepted();
}
