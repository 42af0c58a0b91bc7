//! Running a script through decide/evolve and the read models, checking invariants.

use std::collections::BTreeMap;

use chat_domain::{
    Aggregate, Chat, ChatEvent, ChatId, ChatState, ChatType, MessageLog,
    testing::reference::{ApplyOutcome, ChatReadStatus, ChatSummary, ParticipantList},
};

use crate::ops::{Op, USERS, user};

/// The read models a projector keeps for the chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Views {
    pub(crate) summary: Option<ChatSummary>,
    pub(crate) participants: ParticipantList,
    pub(crate) reads: ChatReadStatus,
}

impl Views {
    pub(crate) fn new(chat: ChatId) -> Self {
        Self {
            summary: None,
            participants: ParticipantList::new(chat),
            reads: ChatReadStatus::new(chat),
        }
    }

    pub(crate) fn apply(&mut self, event: &ChatEvent) {
        self.summary = ChatSummary::fold(self.summary.take(), event);
        assert_eq!(self.participants.apply(event), ApplyOutcome::Applied);
        assert_eq!(self.reads.apply(event), ApplyOutcome::Applied);
    }
}

/// Every decrement a `MessageDeleted` makes must hit a positive count (the fold
/// saturates at zero, which would otherwise hide a double decrement).
fn assert_deletes_never_underflow(views: &Views, event: &ChatEvent) {
    let ChatEvent::MessageDeleted(e) = event else {
        return;
    };
    for s in views.reads.users.values() {
        let floor = s
            .last_read_message_version
            .map_or(s.joined_version, |r| r.max(s.joined_version));
        if s.active && e.sender_id != Some(s.user_id) && e.message_version > floor {
            assert!(
                s.unread_count > 0,
                "unread count of {} would go negative",
                s.user_id
            );
        }
    }
}

fn check_invariants(before: &ChatState, after: &ChatState, messages: &MessageLog, views: &Views) {
    let Some(data) = after.data() else {
        if let ChatState::Deleted(_) = after {
            assert!(views.summary.as_ref().is_some_and(|s| s.deleted));
            assert!(views.participants.is_empty());
        }
        return;
    };
    if data.chat_type() == ChatType::Direct {
        assert_eq!(
            data.participant_count(),
            2,
            "a direct chat has two participants"
        );
    }
    if data.participant_count() > 0 {
        assert!(
            data.admin_count() >= 1,
            "a chat with participants has an admin"
        );
    }
    if let Some(prev) = before.data() {
        for (u, _) in prev.participants() {
            if let Some(old) = prev.read_position(u) {
                let new = data
                    .read_position(u)
                    .expect("read positions are never dropped");
                assert!(
                    new.message_version >= old.message_version,
                    "read position moved back"
                );
            }
        }
    }
    // The read models agree with the aggregate.
    let summary = views.summary.as_ref().expect("summary exists once created");
    assert_eq!(summary.participant_count as usize, data.participant_count());
    assert_eq!(summary.archived, matches!(after, ChatState::Archived(_)));
    assert_eq!(summary.name.as_deref(), data.name());
    assert_eq!(summary.telegram, data.telegram_link());
    let roles: BTreeMap<_, _> = data.participants().collect();
    let listed: BTreeMap<_, _> = views
        .participants
        .participants
        .iter()
        .map(|(u, p)| (*u, p.role))
        .collect();
    assert_eq!(listed, roles);
    for n in 0..USERS {
        let u = user(n);
        assert_eq!(
            views.reads.unread_count(u),
            messages.unread_count(after, u),
            "unread count of user {n}"
        );
        if data.role_of(u).is_some() {
            let status = &views.reads.users[&u];
            assert_eq!(
                status.last_read_message_version,
                data.read_position(u).map(|r| r.message_version)
            );
        }
    }
}

/// Runs a script; returns the log and the final state.
pub(crate) fn run(script: &[Op]) -> (Vec<ChatEvent>, ChatState, Option<Views>) {
    let mut state = ChatState::default();
    let mut log: Vec<ChatEvent> = Vec::new();
    let mut views: Option<Views> = None;
    let mut messages = MessageLog::default();
    for (step, op) in script.iter().enumerate() {
        let Ok(events) = messages.decide(&state, op.command(step)) else {
            continue;
        };
        let before = state.clone();
        for event in &events {
            let expected = state.version() + 1;
            assert_eq!(
                event.version(),
                expected,
                "decide numbers events from the state's version"
            );
            if let Some(chat) = state.chat_id() {
                assert_eq!(event.chat_id(), chat);
            }
            state = Chat::evolve(state, event);
            messages.record(event);
            assert_eq!(
                state.version(),
                expected,
                "evolve accepts every decided event"
            );
            let v = views.get_or_insert_with(|| Views::new(event.chat_id()));
            assert_deletes_never_underflow(v, event);
            v.apply(event);
            log.push(event.clone());
        }
        if let Some(v) = &views {
            check_invariants(&before, &state, &messages, v);
        }
    }
    (log, state, views)
}
