//! Rules of the Telegram bridge: link, unlink, received messages, and typing.

use crate::{
    ChatError, ChatEvent, MessageSource, MessageType, Role,
    chat::{
        commands::{ReceiveTelegramMessage, ReportTelegramLinkChange},
        events::{
            TelegramChatLinked, TelegramChatUnlinked, TelegramLinkChange, TelegramLinkChanged,
            TelegramMessageReceived,
        },
        typing::check_typist,
    },
    testing::{fixtures::*, given},
};

fn linked() -> History {
    History::group().run(link(ALICE, None))
}

fn with_telegram_message() -> Vec<ChatEvent> {
    linked().run(telegram(msg(1), 501, "from tg")).events()
}

#[test]
fn admins_link_a_supergroup_or_a_topic() {
    given(History::group().events())
        .when(link(ALICE, Some(7)))
        .then([TelegramChatLinked {
            chat_id: CHAT,
            version: 6,
            telegram_chat_id: TG_GROUP,
            telegram_topic_id: Some(7),
            linked_by: ALICE,
            linked_at: T0,
        }]);
    given(History::group().events())
        .when(link(BOB, None))
        .then_err(ChatError::NotAnAdmin);
}

#[test]
fn only_a_supergroup_and_a_real_topic_can_be_linked() {
    for (chat, topic, error) in [
        (-123_456_789, None, ChatError::TelegramChatNotSupergroup),
        (
            -1_000_000_000_000,
            None,
            ChatError::TelegramChatNotSupergroup,
        ),
        (42, None, ChatError::TelegramChatNotSupergroup),
        (TG_GROUP, Some(0), ChatError::TelegramTopicInvalid),
        (TG_GROUP, Some(-7), ChatError::TelegramTopicInvalid),
        (TG_GROUP, Some(1 << 40), ChatError::TelegramTopicInvalid),
    ] {
        given(History::group().events())
            .when(crate::chat::commands::LinkTelegram {
                telegram_chat_id: chat,
                telegram_topic_id: topic,
                ..link(ALICE, None)
            })
            .then_err(error);
    }
}

#[test]
fn a_link_to_the_general_topic_takes_messages_without_a_topic_header() {
    let general = History::group().run(link(ALICE, Some(1))).events();
    given(general.clone())
        .when(telegram(msg(1), 501, "in General"))
        .then_accepted();
    given(general)
        .when(ReceiveTelegramMessage {
            telegram_topic_id: Some(7),
            ..telegram(msg(1), 502, "in topic 7")
        })
        .then_err(ChatError::TelegramChatMismatch);
}

#[test]
fn a_linked_chat_must_be_unlinked_before_relinking() {
    given(linked().events())
        .when(link(ALICE, Some(3)))
        .then_err(ChatError::TelegramAlreadyLinked);
}

#[test]
fn admins_unlink_and_the_event_names_the_old_link() {
    given(History::group().run(link(ALICE, Some(7))).events())
        .when(unlink(ALICE))
        .then([TelegramChatUnlinked {
            chat_id: CHAT,
            version: 7,
            telegram_chat_id: TG_GROUP,
            telegram_topic_id: Some(7),
            unlinked_by: ALICE,
            unlinked_at: T0,
        }]);
    given(linked().events())
        .when(unlink(BOB))
        .then_err(ChatError::NotAnAdmin);
    given(History::group().events())
        .when(unlink(ALICE))
        .then_err(ChatError::TelegramNotLinked);
}

#[test]
fn the_bridge_posts_telegram_messages_on_behalf_of_non_participants() {
    given(linked().events())
        .when(telegram(msg(1), 501, "from tg"))
        .then([TelegramMessageReceived {
            chat_id: CHAT,
            version: 7,
            message_id: msg(1),
            telegram_chat_id: TG_GROUP,
            telegram_topic_id: None,
            telegram_message_id: 501,
            telegram_user_id: 42,
            sender_name: "Tg User".to_owned(),
            content: "from tg".to_owned(),
            message_type: MessageType::Text,
            attachment: None,
            reply_to: None,
            source: MessageSource::Telegram,
            created_at: T0,
        }]);
}

#[test]
fn only_the_service_identity_posts_telegram_messages() {
    let as_user = ReceiveTelegramMessage {
        actor: by(ALICE),
        ..telegram(msg(1), 501, "x")
    };
    given(linked().events())
        .when(as_user)
        .then_err(ChatError::ServiceActorRequired);
}

#[test]
fn telegram_messages_need_a_linked_chat_and_the_linked_group() {
    given(History::group().events())
        .when(telegram(msg(1), 501, "x"))
        .then_err(ChatError::TelegramNotLinked);
    let other_group = ReceiveTelegramMessage {
        telegram_chat_id: 99,
        ..telegram(msg(1), 501, "x")
    };
    given(linked().events())
        .when(other_group)
        .then_err(ChatError::TelegramChatMismatch);
}

#[test]
fn a_topic_link_accepts_only_its_topic() {
    let topic_linked = History::group().run(link(ALICE, Some(7))).events();
    let from_topic = |topic| ReceiveTelegramMessage {
        telegram_topic_id: topic,
        ..telegram(msg(1), 501, "x")
    };
    given(topic_linked.clone())
        .when(from_topic(Some(7)))
        .then_accepted();
    given(topic_linked.clone())
        .when(from_topic(Some(8)))
        .then_err(ChatError::TelegramChatMismatch);
    given(topic_linked)
        .when(from_topic(None))
        .then_err(ChatError::TelegramChatMismatch);
    // A link without topic mirrors the whole supergroup, topics included.
    given(linked().events())
        .when(from_topic(Some(8)))
        .then_accepted();
}

#[test]
fn a_telegram_message_is_received_once() {
    given(with_telegram_message())
        .when(telegram(msg(2), 501, "again"))
        .then_err(ChatError::TelegramMessageAlreadyReceived);
    given(with_telegram_message())
        .when(telegram(msg(1), 502, "same id"))
        .then_err(ChatError::MessageAlreadyExists);
    given(with_telegram_message())
        .when(telegram(msg(2), 502, "next"))
        .then_accepted();
}

#[test]
fn telegram_messages_respect_content_limits_and_reply_targets() {
    given(linked().events())
        .when(telegram(msg(1), 501, ""))
        .then_err(ChatError::MessageEmpty);
    given(linked().events())
        .when(telegram(msg(1), 501, &"x".repeat(10_001)))
        .then_err(ChatError::MessageTooLong {
            max: 10_000,
            actual: 10_001,
        });
    let reply = |to| ReceiveTelegramMessage {
        reply_to: Some(to),
        ..telegram(msg(2), 502, "re")
    };
    given(with_telegram_message())
        .when(reply(msg(1)))
        .then_accepted();
    given(with_telegram_message())
        .when(reply(msg(9)))
        .then_err(ChatError::ReplyTargetNotFound);
}

#[test]
fn the_bridge_mirrors_edits_and_deletes_of_telegram_messages_only() {
    let events = given(with_telegram_message())
        .when(edit(bridge(), msg(1), "fixed"))
        .events();
    assert!(
        matches!(&events[..], [ChatEvent::MessageEdited(e)] if e.previous_content == "from tg" && e.edited_by == bridge())
    );
    let events = given(with_telegram_message())
        .when(delete(bridge(), msg(1)))
        .events();
    assert!(
        matches!(&events[..], [ChatEvent::MessageDeleted(e)] if e.sender_id.is_none() && e.message_version == 7)
    );
    let chat_message = linked().run(send(BOB, msg(2), "mine")).events();
    given(chat_message.clone())
        .when(edit(bridge(), msg(2), "x"))
        .then_err(ChatError::NotMessageSender);
    given(chat_message)
        .when(delete(bridge(), msg(2)))
        .then_err(ChatError::NotSenderOrAdmin);
}

#[test]
fn users_do_not_edit_telegram_messages_but_admins_delete_them() {
    given(with_telegram_message())
        .when(edit(by(ALICE), msg(1), "x"))
        .then_err(ChatError::NotMessageSender);
    given(with_telegram_message())
        .when(delete(by(BOB), msg(1)))
        .then_err(ChatError::NotSenderOrAdmin);
    given(with_telegram_message())
        .when(delete(by(ALICE), msg(1)))
        .then_accepted();
}

#[test]
fn typing_is_checked_like_writing_and_stores_nothing() {
    let group = History::group();
    given(group.clone().events())
        .when(typing(BOB))
        .then_nothing();
    given(group.clone().events())
        .when(typing(DAVE))
        .then_err(ChatError::ObserverCannotWrite);
    given(group.clone().events())
        .when(typing(EVE))
        .then_err(ChatError::NotAParticipant);
    given(group.events())
        .when(crate::chat::commands::Typing {
            actor: bridge(),
            at: T0,
        })
        .then_err(ChatError::ServiceActorNotAllowed);
}

#[test]
fn the_typing_rule_on_a_role_alone_is_the_one_decide_applies() {
    assert_eq!(check_typist(Some(Role::Admin)), Ok(()));
    assert_eq!(check_typist(Some(Role::Member)), Ok(()));
    assert_eq!(
        check_typist(Some(Role::Observer)),
        Err(ChatError::ObserverCannotWrite)
    );
    assert_eq!(check_typist(None), Err(ChatError::NotAParticipant));
}

fn broken() -> TelegramLinkChange {
    TelegramLinkChange::Broken {
        reason: "CHANNEL_PRIVATE".into(),
    }
}

#[test]
fn the_bridge_reports_a_lost_group_and_the_chat_gets_a_notice() {
    given(linked().events())
        .when(link_change(msg(9), broken()))
        .then([TelegramLinkChanged {
            chat_id: CHAT,
            version: 7,
            telegram_chat_id: TG_GROUP,
            telegram_topic_id: None,
            change: broken(),
            notice_id: msg(9),
            changed_at: T0,
        }]);
    // The notice is a message of the chat: it can be read up to, not edited.
    let noticed = linked().run(link_change(msg(9), broken())).events();
    given(noticed.clone())
        .when(read(BOB, msg(9)))
        .then_accepted();
    given(noticed.clone())
        .when(edit(by(ALICE), msg(9), "mine now"))
        .then_err(ChatError::NotMessageSender);
    given(noticed)
        .when(link_change(msg(9), TelegramLinkChange::Restored))
        .then_err(ChatError::MessageAlreadyExists);
}

#[test]
fn only_the_bridge_reports_link_changes_and_only_of_the_linked_group() {
    given(linked().events())
        .when(ReportTelegramLinkChange {
            actor: by(ALICE),
            ..link_change(msg(9), broken())
        })
        .then_err(ChatError::ServiceActorRequired);
    given(History::group().events())
        .when(link_change(msg(9), broken()))
        .then_err(ChatError::TelegramNotLinked);
    given(linked().events())
        .when(ReportTelegramLinkChange {
            telegram_chat_id: -1_009_999_999_999,
            ..link_change(msg(9), broken())
        })
        .then_err(ChatError::TelegramChatMismatch);
}

#[test]
fn a_moved_group_relinks_the_chat_to_its_supergroup() {
    const SUPERGROUP: i64 = -1_005_555_555_555;
    let moved = TelegramLinkChange::Moved {
        to_telegram_chat_id: SUPERGROUP,
    };
    let after = linked().run(link_change(msg(9), moved)).events();
    given(after.clone())
        .when(ReceiveTelegramMessage {
            telegram_chat_id: SUPERGROUP,
            ..telegram(msg(1), 501, "after the upgrade")
        })
        .then_accepted();
    given(after)
        .when(telegram(msg(1), 502, "from the old group"))
        .then_err(ChatError::TelegramChatMismatch);
    given(linked().events())
        .when(link_change(
            msg(9),
            TelegramLinkChange::Moved {
                to_telegram_chat_id: -42,
            },
        ))
        .then_err(ChatError::TelegramChatNotSupergroup);
}
