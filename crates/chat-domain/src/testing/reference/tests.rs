//! Read-model folds on histories decided by the aggregate: contents, exact counts,
//! redelivery.

use super::*;
use crate::{ChatEvent, ChatType, Role, ids::ChatId, testing::fixtures::*};

fn summary_of(events: &[ChatEvent]) -> ChatSummary {
    events
        .iter()
        .fold(None, ChatSummary::fold)
        .expect("created")
}

fn reads_of(events: &[ChatEvent]) -> ChatReadStatus {
    let mut view = ChatReadStatus::new(CHAT);
    for e in events {
        view.apply(e);
    }
    view
}

#[test]
fn the_summary_shows_name_type_count_and_last_message() {
    let events = History::group()
        .run(send(BOB, msg(1), "one"))
        .run(send(CAROL, msg(2), &"y".repeat(500)))
        .run(rename(ALICE, "renamed"))
        .run(leave(DAVE))
        .events();
    let s = summary_of(&events);
    assert_eq!(
        (s.chat_type, s.name.as_deref(), s.participant_count),
        (ChatType::Group, Some("renamed"), 3)
    );
    let last = s.last_message.expect("last message");
    assert_eq!(
        (last.message_id, last.sender_id, last.message_version),
        (msg(2), Some(CAROL), 7)
    );
    assert_eq!(last.preview.chars().count(), LAST_MESSAGE_PREVIEW_CHARS);
    assert_eq!(s.version, 9);
}

#[test]
fn the_summary_follows_edits_and_deletes_of_the_last_message_only() {
    let base = History::group()
        .run(send(BOB, msg(1), "one"))
        .run(send(BOB, msg(2), "two"));
    let edited_older = summary_of(&base.clone().run(edit(by(BOB), msg(1), "uno")).events());
    assert_eq!(
        edited_older
            .last_message
            .as_ref()
            .map(|l| (l.preview.as_str(), l.edited)),
        Some(("two", false))
    );
    let edited = summary_of(&base.clone().run(edit(by(BOB), msg(2), "dos")).events());
    assert_eq!(
        edited
            .last_message
            .as_ref()
            .map(|l| (l.preview.as_str(), l.edited)),
        Some(("dos", true))
    );
    let deleted = summary_of(&base.run(delete(by(BOB), msg(2))).events());
    let last = deleted.last_message.expect("still the last message");
    assert!(last.deleted && last.preview.is_empty());
}

#[test]
fn the_summary_tracks_archive_restore_delete_and_telegram() {
    let linked = History::group()
        .run(link(ALICE, Some(3)))
        .run(archive(ALICE));
    let s = summary_of(&linked.clone().events());
    assert!(s.archived);
    assert_eq!(s.telegram.map(|t| t.telegram_topic_id), Some(Some(3)));
    let restored = linked.run(restore(ALICE));
    assert!(!summary_of(&restored.clone().events()).archived);
    assert!(summary_of(&restored.run(hard_delete(bridge())).events()).deleted);
}

#[test]
fn telegram_messages_appear_as_last_message_without_sender_id() {
    let events = History::group()
        .run(link(ALICE, None))
        .run(telegram(msg(1), 7, "hi from tg"))
        .events();
    let last = summary_of(&events).last_message.expect("last message");
    assert_eq!(
        (last.sender_id, last.sender_name.as_deref()),
        (None, Some("Tg User"))
    );
}

#[test]
fn the_participant_list_follows_adds_roles_and_departures() {
    let history = History::group()
        .run(set_role(ALICE, BOB, Role::Admin))
        .run(remove(ALICE, CAROL))
        .run(leave(DAVE));
    let events = history.clone().events();
    let mut list = ParticipantList::new(CHAT);
    for e in &events {
        assert_eq!(list.apply(e), ApplyOutcome::Applied);
    }
    assert_eq!(list.len(), 2);
    assert_eq!(
        (list.role_of(ALICE), list.role_of(BOB), list.role_of(CAROL)),
        (Some(Role::Admin), Some(Role::Admin), None)
    );
    let deleted = history.run(hard_delete(by(ALICE))).events();
    assert_eq!(
        list.apply(&deleted[deleted.len() - 1]),
        ApplyOutcome::Applied
    );
    assert!(list.is_empty());
}

#[test]
fn unread_counts_are_exact_for_sends_deletes_reads_and_rejoins() {
    let history = History::group()
        .run(send(BOB, msg(1), "one"))
        .run(send(BOB, msg(2), "two"))
        .run(send(CAROL, msg(3), "three"))
        .run(read(ALICE, msg(1)))
        .run(delete(by(BOB), msg(2)))
        .run(delete(by(ALICE), msg(1)));
    let view = reads_of(&history.clone().events());
    for u in [ALICE, BOB, CAROL, DAVE, EVE] {
        assert_eq!(view.unread_count(u), history.unread_count(u), "{u}");
    }
    assert_eq!(
        (
            view.unread_count(ALICE),
            view.unread_count(BOB),
            view.unread_count(DAVE)
        ),
        (1, 1, 1)
    );
    // BOB leaves and comes back: the history before his return is not unread.
    let back = history
        .run(leave(BOB))
        .run(add(ALICE, BOB, Role::Member))
        .run(send(CAROL, msg(4), "four"));
    let view = reads_of(&back.clone().events());
    assert_eq!(view.unread_count(BOB), 1);
    assert_eq!(back.unread_count(BOB), 1);
}

#[test]
fn views_ignore_redelivered_older_and_foreign_events() {
    let events = History::group()
        .run(send(BOB, msg(1), "one"))
        .run(read(ALICE, msg(1)))
        .events();
    let mut reads = reads_of(&events);
    let mut summary = summary_of(&events);
    let before = (reads.clone(), summary.clone());
    for e in &events {
        assert_eq!(reads.apply(e), ApplyOutcome::Stale);
        assert_eq!(summary.apply(e), ApplyOutcome::Stale);
    }
    let foreign = History::new()
        .run(create_group(
            ALICE,
            ChatId::from_uuid(uuid::Uuid::from_u128(1)),
            &[],
        ))
        .events();
    assert_eq!(reads.apply(&foreign[0]), ApplyOutcome::OtherChat);
    assert_eq!(summary.apply(&foreign[1]), ApplyOutcome::OtherChat);
    assert_eq!((reads, summary), before);
}

#[test]
fn a_single_users_status_is_kept_on_its_own() {
    let events = History::group()
        .run(send(BOB, msg(1), "one"))
        .run(read(CAROL, msg(1)))
        .events();
    let mut carol = ReadStatus::new(CHAT, CAROL);
    for e in &events {
        carol.apply(e);
    }
    assert!(carol.active);
    assert_eq!(
        (
            carol.unread_count,
            carol.last_read_message_id,
            carol.read_at
        ),
        (0, Some(msg(1)), Some(T0))
    );
}
