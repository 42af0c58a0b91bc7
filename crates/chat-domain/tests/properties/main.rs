//! Property tests: random command sequences over a few users and messages.
//!
//! Every accepted command's events are folded by `evolve` and by the read models; after
//! each step the invariants are checked, and at the end the whole log is replayed and
//! redelivered. Rejected commands are simply dropped (decide takes the state by
//! reference, so a rejection cannot change it).

// Helpers outside `#[test]` fns are test code too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod check;
mod ops;
mod size;

use chat_domain::{
    Aggregate, Chat, ChatEvent, ChatState, ChatType, UserId, direct_chat_id,
    testing::reference::{ApplyOutcome, ChatSummary},
};
use proptest::prelude::*;
use uuid::Uuid;

use check::{Views, run};
use ops::script;
use size::{MessageOp, chat_with, size_without_version};

fn message_op() -> impl Strategy<Value = MessageOp> {
    prop_oneof![
        6 => (any::<usize>(), 1usize..4_000).prop_map(|(who, length)| MessageOp::Send { who, length }),
        1 => (1usize..4_000).prop_map(|length| MessageOp::Edit { length }),
        1 => Just(MessageOp::Delete),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn accepted_sequences_keep_every_invariant_and_replay_to_the_same_state(script in script()) {
        let (log, state, views) = run(&script);
        prop_assert_eq!(Chat::replay(&log), state.clone());
        // Replay is deterministic.
        prop_assert_eq!(Chat::replay(&log), Chat::replay(&log));
        // The read models rebuild the same way from the log.
        if let Some(views) = views {
            let mut rebuilt = Views::new(views.participants.chat_id);
            for event in &log {
                rebuilt.apply(event);
            }
            prop_assert_eq!(&rebuilt, &views);
        }
    }

    #[test]
    fn a_snapshot_round_trips_to_the_same_state(script in script()) {
        // The write path snapshots states as JSON and resumes deciding from them.
        let (_, state, _) = run(&script);
        let json = serde_json::to_string(&state).expect("state serialises");
        let restored: ChatState = serde_json::from_str(&json).expect("state deserialises");
        prop_assert_eq!(restored, state);
    }

    #[test]
    fn redelivered_events_change_no_read_model(script in script(), picks in prop::collection::vec(any::<prop::sample::Index>(), 1..20)) {
        let (log, _, views) = run(&script);
        if let Some(views) = views {
            let mut redelivered = views.clone();
            for pick in picks {
                let event = &log[pick.index(log.len())];
                redelivered.summary = ChatSummary::fold(redelivered.summary.take(), event);
                prop_assert_eq!(redelivered.participants.apply(event), ApplyOutcome::Stale);
                prop_assert_eq!(redelivered.reads.apply(event), ApplyOutcome::Stale);
            }
            prop_assert_eq!(redelivered, views);
        }
    }

    #[test]
    fn the_state_size_depends_on_participants_not_on_messages(
        members in 0usize..40,
        first in 1usize..4_000,
        more in prop::collection::vec(message_op(), 0..400),
    ) {
        let mut ops = vec![MessageOp::Send { who: 0, length: first }];
        ops.extend(more);
        let (before, after) = chat_with(members, &ops);
        prop_assert!(after.version() > before.version(), "some messages were sent");
        prop_assert_eq!(size_without_version(&after), size_without_version(&before));
    }

    #[test]
    fn direct_chat_ids_do_not_depend_on_order(a in any::<u128>(), b in any::<u128>()) {
        let (a, b) = (UserId::from_uuid(Uuid::from_u128(a)), UserId::from_uuid(Uuid::from_u128(b)));
        prop_assert_eq!(direct_chat_id(a, b), direct_chat_id(b, a));
    }
}

#[test]
fn a_chat_of_a_hundred_thousand_messages_is_as_small_as_a_new_one() {
    let ops: Vec<MessageOp> = (0..100_000)
        .map(|n| MessageOp::Send {
            who: n,
            length: 1_000,
        })
        .collect();
    let (before, after) = chat_with(10, &ops);
    assert_eq!(after.version(), before.version() + 100_000);
    assert_eq!(size_without_version(&after), size_without_version(&before));
}

#[test]
fn the_generator_reaches_the_interesting_states() {
    // Guards the property tests against a generator that rejects almost everything.
    use proptest::{strategy::ValueTree, test_runner::TestRunner};
    let mut runner = TestRunner::deterministic();
    let (mut messages, mut deletes, mut reads, mut telegram, mut archived, mut direct) =
        (0, 0, 0, 0, 0, 0);
    for _ in 0..300 {
        let script = script().new_tree(&mut runner).unwrap().current();
        let (log, state, _) = run(&script);
        for e in &log {
            match e {
                ChatEvent::MessageSent(_) => messages += 1,
                ChatEvent::MessageDeleted(_) => deletes += 1,
                ChatEvent::MessagesMarkedAsRead(_) => reads += 1,
                ChatEvent::TelegramMessageReceived(_) => telegram += 1,
                ChatEvent::ChatArchived(_) => archived += 1,
                _ => {}
            }
        }
        if state
            .data()
            .is_some_and(|d| d.chat_type() == ChatType::Direct)
        {
            direct += 1;
        }
    }
    for (what, n) in [
        ("messages", messages),
        ("deletes", deletes),
        ("reads", reads),
        ("telegram", telegram),
        ("archives", archived),
        ("direct chats", direct),
    ] {
        assert!(n >= 5, "the generator produced only {n} {what}");
    }
}
