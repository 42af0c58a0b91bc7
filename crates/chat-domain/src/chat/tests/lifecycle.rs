//! Rules of the chat lifecycle: create, update, archive, restore, hard delete.

use super::everyday_commands;
use crate::{
    Actor, ChatError, ChatEvent, ChatState, ChatType, Role,
    chat::{
        commands::CreateChat,
        events::{
            ChatArchived, ChatCreated, ChatHardDeleted, ChatRestored, ChatUpdated, ParticipantAdded,
        },
    },
    ids::{CompanyId, direct_chat_id, direct_chat_id_at},
    testing::{fixtures::*, given},
};

fn created(chat_type: ChatType, name: Option<&str>) -> ChatEvent {
    ChatEvent::ChatCreated(ChatCreated {
        chat_id: CHAT,
        version: 1,
        chat_type,
        name: name.map(str::to_owned),
        company_id: None,
        created_by: ALICE,
        created_by_name: None,
        created_at: T0,
    })
}

fn added(version: u64, user_id: crate::UserId, role: Role, count: u32) -> ChatEvent {
    ChatEvent::ParticipantAdded(ParticipantAdded {
        chat_id: CHAT,
        version,
        user_id,
        role,
        added_by: ALICE,
        joined_at: T0,
        participant_count: count,
    })
}

#[test]
fn creating_a_group_makes_the_creator_admin_and_the_others_members() {
    let state = given([]).when(create_group(ALICE, CHAT, &[BOB])).then([
        created(ChatType::Group, Some("general")),
        added(2, ALICE, Role::Admin, 1),
        added(3, BOB, Role::Member, 2),
    ]);
    assert!(matches!(state, ChatState::Active(_)));
}

#[test]
fn creating_ignores_duplicates_and_the_creator_in_the_participant_list() {
    given([])
        .when(create_group(ALICE, CHAT, &[BOB, ALICE, BOB]))
        .then([
            created(ChatType::Group, Some("general")),
            added(2, ALICE, Role::Admin, 1),
            added(3, BOB, Role::Member, 2),
        ]);
}

#[test]
fn creating_carries_the_creators_display_name() {
    let mut c = create_group(ALICE, CHAT, &[]);
    c.actor = Actor::named_user(ALICE, "Alice");
    let events = given([]).when(c).events();
    let ChatEvent::ChatCreated(e) = &events[0] else {
        panic!("not ChatCreated")
    };
    assert_eq!(e.created_by_name.as_deref(), Some("Alice"));
}

#[test]
fn creating_an_existing_chat_is_rejected() {
    given(History::group().events())
        .when(create_group(ALICE, CHAT, &[]))
        .then_err(ChatError::ChatAlreadyExists);
}

#[test]
fn a_service_cannot_create_a_chat() {
    let mut c = create_group(ALICE, CHAT, &[]);
    c.actor = bridge();
    given([])
        .when(c)
        .then_err(ChatError::ServiceActorNotAllowed);
}

#[test]
fn chat_names_are_limited_to_1_to_255_characters() {
    let with_name = |name: &str| CreateChat {
        name: Some(name.to_owned()),
        ..create_group(ALICE, CHAT, &[])
    };
    given([]).when(with_name(&"n".repeat(255))).then_accepted();
    given([])
        .when(with_name(&"n".repeat(256)))
        .then_err(ChatError::ChatNameTooLong {
            max: 255,
            actual: 256,
        });
    given([])
        .when(with_name(""))
        .then_err(ChatError::ChatNameEmpty);
    given([])
        .when(with_name("  "))
        .then_err(ChatError::ChatNameEmpty);
    given([])
        .when(CreateChat {
            name: None,
            ..create_group(ALICE, CHAT, &[])
        })
        .then_accepted();
}

#[test]
fn a_company_chat_needs_its_company() {
    let company = CreateChat {
        chat_type: ChatType::Company,
        ..create_group(ALICE, CHAT, &[])
    };
    given([])
        .when(company.clone())
        .then_err(ChatError::CompanyIdRequired);
    let id = CompanyId::from_uuid(uuid::Uuid::from_u128(77));
    let events = given([])
        .when(CreateChat {
            company_id: Some(id),
            ..company
        })
        .events();
    assert!(matches!(&events[0], ChatEvent::ChatCreated(e) if e.company_id == Some(id)));
}

#[test]
fn a_direct_chat_has_two_admins_and_the_pairs_id() {
    let chat_id = direct_chat_id(ALICE, BOB);
    let ev = |version, user_id, count| {
        ChatEvent::ParticipantAdded(ParticipantAdded {
            chat_id,
            version,
            user_id,
            role: Role::Admin,
            added_by: ALICE,
            joined_at: T0,
            participant_count: count,
        })
    };
    given([]).when(create_direct(ALICE, BOB)).then([
        ChatEvent::ChatCreated(ChatCreated {
            chat_id,
            version: 1,
            chat_type: ChatType::Direct,
            name: None,
            company_id: None,
            created_by: ALICE,
            created_by_name: None,
            created_at: T0,
        }),
        ev(2, ALICE, 1),
        ev(3, BOB, 2),
    ]);
}

#[test]
fn a_direct_chat_id_must_match_its_pair() {
    given([])
        .when(CreateChat {
            chat_id: CHAT,
            ..create_direct(ALICE, BOB)
        })
        .then_err(ChatError::DirectChatIdMismatch);
    given([])
        .when(CreateChat {
            chat_id: direct_chat_id(ALICE, CAROL),
            ..create_direct(ALICE, BOB)
        })
        .then_err(ChatError::DirectChatIdMismatch);
}

#[test]
fn a_later_generation_of_the_pair_is_a_direct_chat_id_too() {
    given([])
        .when(CreateChat {
            chat_id: direct_chat_id_at(BOB, ALICE, 3),
            ..create_direct(ALICE, BOB)
        })
        .then_accepted();
    given([])
        .when(CreateChat {
            chat_id: direct_chat_id_at(ALICE, CAROL, 3),
            ..create_direct(ALICE, BOB)
        })
        .then_err(ChatError::DirectChatIdMismatch);
}

#[test]
fn a_direct_chat_needs_exactly_two_participants() {
    for others in [vec![], vec![ALICE], vec![BOB, CAROL]] {
        given([])
            .when(CreateChat {
                participants: others,
                ..create_direct(ALICE, BOB)
            })
            .then_err(ChatError::DirectChatNeedsTwoParticipants);
    }
}

#[test]
fn the_second_direct_chat_of_a_pair_meets_the_first() {
    let first = History::new().run(create_direct(ALICE, BOB)).events();
    // Created from the other side: same id, so the write path finds the existing chat.
    given(first)
        .when(create_direct(BOB, ALICE))
        .then_err(ChatError::ChatAlreadyExists);
}

#[test]
fn only_admins_rename_and_renames_carry_the_previous_name() {
    given(History::group().events())
        .when(rename(ALICE, "random"))
        .then([ChatUpdated {
            chat_id: CHAT,
            version: 6,
            name: Some("random".to_owned()),
            previous_name: Some("general".to_owned()),
            updated_by: ALICE,
            updated_at: T0,
        }]);
    given(History::group().events())
        .when(rename(BOB, "random"))
        .then_err(ChatError::NotAnAdmin);
    given(History::group().events())
        .when(rename(EVE, "random"))
        .then_err(ChatError::NotAParticipant);
}

#[test]
fn an_update_that_changes_nothing_is_a_no_op() {
    given(History::group().events())
        .when(rename(ALICE, "general"))
        .then_nothing();
    given(History::group().events())
        .when(crate::chat::commands::UpdateChat {
            name: None,
            ..rename(ALICE, "x")
        })
        .then_nothing();
}

#[test]
fn a_rename_respects_the_name_limits() {
    given(History::group().events())
        .when(rename(ALICE, &"x".repeat(300)))
        .then_err(ChatError::ChatNameTooLong {
            max: 255,
            actual: 300,
        });
    given(History::group().events())
        .when(rename(ALICE, ""))
        .then_err(ChatError::ChatNameEmpty);
}

#[test]
fn only_admins_archive() {
    let state = given(History::group().events())
        .when(archive(ALICE))
        .then([ChatArchived {
            chat_id: CHAT,
            version: 6,
            archived_by: ALICE,
            archived_at: T0,
        }]);
    assert!(matches!(state, ChatState::Archived(_)));
    given(History::group().events())
        .when(archive(BOB))
        .then_err(ChatError::NotAnAdmin);
}

#[test]
fn an_archived_chat_accepts_only_restore_and_hard_delete() {
    let archived = History::group()
        .run(send(BOB, msg(1), "hello"))
        .run(archive(ALICE));
    for command in everyday_commands() {
        given(archived.clone().events())
            .when(command)
            .then_err(ChatError::ChatArchived);
    }
    given(archived.clone().events())
        .when(restore(ALICE))
        .then_accepted();
    given(archived.events())
        .when(hard_delete(by(ALICE)))
        .then_accepted();
}

#[test]
fn an_outsider_is_told_only_that_they_are_not_a_participant_of_an_archived_chat() {
    // Whether the chat is archived is the chat's business: an outsider's answer is the
    // one they get from an active chat (the REST layer turns it into 404).
    let archived = History::group().run(archive(ALICE));
    let commands: [crate::ChatCommand; 5] = [
        send(crate::testing::fixtures::EVE, msg(2), "hi").into(),
        rename(crate::testing::fixtures::EVE, "mine").into(),
        restore(crate::testing::fixtures::EVE).into(),
        leave(crate::testing::fixtures::EVE).into(),
        typing(crate::testing::fixtures::EVE).into(),
    ];
    for command in commands {
        given(archived.clone().events())
            .when(command)
            .then_err(ChatError::NotAParticipant);
    }
}

#[test]
fn the_everyday_commands_are_accepted_on_an_active_chat() {
    // The counterpart of the archived/deleted/absent tests: the same commands pass.
    let active = History::group()
        .run(send(BOB, msg(1), "hello"))
        .run(link(ALICE, None));
    for command in everyday_commands() {
        let command = match command {
            crate::ChatCommand::LinkTelegram(_) => unlink(ALICE).into(),
            crate::ChatCommand::UnlinkTelegram(_) => typing(ALICE).into(),
            other => other,
        };
        assert!(
            given(active.clone().events())
                .when(command.clone())
                .result()
                .is_ok(),
            "{command:?}"
        );
    }
}

#[test]
fn only_admins_restore_and_only_archived_chats() {
    let archived = History::group().run(archive(ALICE)).events();
    let state = given(archived.clone())
        .when(restore(ALICE))
        .then([ChatRestored {
            chat_id: CHAT,
            version: 7,
            restored_by: ALICE,
            restored_at: T0,
        }]);
    assert!(matches!(state, ChatState::Active(_)));
    given(archived)
        .when(restore(BOB))
        .then_err(ChatError::NotAnAdmin);
    given(History::group().events())
        .when(restore(ALICE))
        .then_err(ChatError::ChatNotArchived);
}

#[test]
fn admins_hard_delete_active_or_archived_chats() {
    let state = given(History::group().events())
        .when(hard_delete(by(ALICE)))
        .then([ChatHardDeleted {
            chat_id: CHAT,
            version: 6,
            deleted_by: by(ALICE),
            deleted_at: T0,
        }]);
    assert!(matches!(state, ChatState::Deleted(t) if t.version == 6));
    given(History::group().run(archive(ALICE)).events())
        .when(hard_delete(by(ALICE)))
        .then_accepted();
}

#[test]
fn the_service_role_may_hard_delete_but_members_may_not() {
    given(History::group().events())
        .when(hard_delete(bridge()))
        .then([ChatHardDeleted {
            chat_id: CHAT,
            version: 6,
            deleted_by: bridge(),
            deleted_at: T0,
        }]);
    given(History::group().events())
        .when(hard_delete(by(BOB)))
        .then_err(ChatError::NotAnAdmin);
    given(History::group().events())
        .when(hard_delete(by(EVE)))
        .then_err(ChatError::NotAParticipant);
}

#[test]
fn nothing_happens_to_a_hard_deleted_chat() {
    let deleted = History::group()
        .run(send(BOB, msg(1), "hello"))
        .run(hard_delete(by(ALICE)));
    let mut commands = everyday_commands();
    commands.push(restore(ALICE).into());
    commands.push(hard_delete(by(ALICE)).into());
    commands.push(create_group(ALICE, CHAT, &[]).into());
    for command in commands {
        given(deleted.clone().events())
            .when(command)
            .then_err(ChatError::ChatDeleted);
    }
}

#[test]
fn commands_on_a_chat_that_does_not_exist_find_nothing() {
    let mut commands = everyday_commands();
    commands.push(restore(ALICE).into());
    commands.push(hard_delete(by(ALICE)).into());
    for command in commands {
        given([]).when(command).then_err(ChatError::ChatNotFound);
    }
}
