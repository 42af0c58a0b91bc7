//! Who writes what: projector-sync writes the four SYNC events plus, from the ASYNC ones,
//! only the chat's newest message as the chat keeps it (edits and deletes);
//! projector-async the ASYNC ones plus, from the SYNC ones, only the unread ledger, the
//! message search and the names of Telegram authors.

use chat_domain::{ChatEvent, ProjectionKind};
use chat_read_model::Projector;
use chat_read_model::plan::{RowWrite, TextWrite, plan};
use chat_read_model::testing::workload;

/// What projector-async writes of a SYNC event: the unread ledger, the search and the
/// directory's Telegram authors.
fn unread_ledger_or_search(row: &RowWrite) -> bool {
    matches!(
        row,
        RowWrite::Text(TextWrite::Index(_))
            | RowWrite::Named { .. }
            | RowWrite::ReaderJoined { .. }
            | RowWrite::ReaderLeft { .. }
            | RowWrite::ReadersClosed
            | RowWrite::MessageArrived { .. }
            | RowWrite::MessageWithdrawn { .. }
            | RowWrite::ReadUpTo { .. }
    )
}

#[test]
fn each_projector_writes_its_own_events() {
    for envelope in workload(6, 1_500, 4) {
        let event = &envelope.payload;
        let sync = plan(Projector::Sync, event).expect("plannable");
        let asynchronous = plan(Projector::Async, event).expect("plannable");
        match event.projection_kind() {
            ProjectionKind::Sync => {
                assert!(!sync.rows.is_empty(), "{}", event.event_type());
                assert!(asynchronous.messages.is_empty());
                assert!(asynchronous.rows.iter().all(unread_ledger_or_search));
            }
            ProjectionKind::Async => {
                assert!(sync.messages.is_empty(), "{}", event.event_type());
                let revises = matches!(
                    event,
                    ChatEvent::MessageEdited(_) | ChatEvent::MessageDeleted(_)
                );
                assert_eq!(sync.rows.is_empty(), !revises, "{}", event.event_type());
                assert!(
                    sync.rows
                        .iter()
                        .all(|row| matches!(row, RowWrite::ReviseLastMessage { .. }))
                );
                // A rename without a new name is the only ASYNC event with nothing to do.
                let nothing = matches!(event, ChatEvent::ChatUpdated(e) if e.name.is_none());
                assert_eq!(asynchronous.is_empty(), nothing, "{}", event.event_type());
            }
        }
        // Only a hard delete purges, and only projector-async does.
        let deleted_at = match event {
            ChatEvent::ChatHardDeleted(e) => Some(e.deleted_at),
            _ => None,
        };
        assert_eq!(asynchronous.purge_until, deleted_at);
        assert_eq!(sync.purge_until, None);
    }
}

#[test]
fn a_message_id_that_is_not_a_timeuuid_can_never_be_planned() {
    let mut events = workload(1, 50, 6).into_iter().map(|e| e.payload);
    let Some(ChatEvent::MessageSent(mut sent)) =
        events.find(|e| matches!(e, ChatEvent::MessageSent(_)))
    else {
        panic!("the workload sends messages");
    };
    sent.message_id = chat_domain::MessageId::from_uuid(uuid::Uuid::now_v7());
    let event = ChatEvent::MessageSent(sent);
    assert!(plan(Projector::Sync, &event).is_err());
    assert!(
        plan(Projector::Async, &event).is_err(),
        "nor indexed for search: poison to both projectors"
    );
}
