//! Property tests: random command sequences over a few users and messages.
//!
//! Every accepted command's events are folded by `evolve` and by the read models; after
//! each step the invariants are checked, and at the end the whole log is replayed and
//! redelivered. Rejected commands are simply dropped (decide takes the state by
//! reference, so a rejection cannot change it).

// Helpers outside `#[test]` fns are test code too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use chat_domain::{
    Actor, Aggregate, Chat, ChatCommand, ChatEvent, ChatId, ChatState, ChatType, MessageId, Role,
    UserId,
    chat::commands::{
        AddParticipant, ArchiveChat, ChangeParticipantRole, CreateChat, DeleteMessage, EditMessage,
        HardDeleteChat, LeaveChat, LinkTelegram, MarkMessagesRead, ReceiveTelegramMessage,
        RemoveParticipant, RestoreChat, SendMessage, Typing, UnlinkTelegram, UpdateChat,
    },
    direct_chat_id,
    read_model::{ApplyOutcome, ChatReadStatus, ChatSummary, ParticipantList},
};
use proptest::prelude::*;
use time::OffsetDateTime;
use uuid::Uuid;

const USERS: u8 = 5;
const MESSAGES: u8 = 8;
const GROUP: ChatId = ChatId::from_uuid(Uuid::from_u128(0x6_0000));
const TG: i64 = -1_005;

fn user(n: u8) -> UserId {
    UserId::from_uuid(Uuid::from_u128(0x1000 + u128::from(n % USERS)))
}

fn message(n: u8) -> MessageId {
    let ts =
        uuid::Timestamp::from_gregorian_time(0x01EF_0000_0000_0000 + u64::from(n % MESSAGES), 0);
    MessageId::from_uuid(Uuid::new_v1(ts, &[2, 0, 0, 0, 0, 1]))
}

/// Who acts: a user (index) or, when `service`, the bridge.
#[derive(Debug, Clone, Copy)]
struct Who {
    user: u8,
    service: bool,
}

impl Who {
    fn actor(self) -> Actor {
        if self.service {
            Actor::service("telegram-bridge")
        } else {
            Actor::named_user(user(self.user), format!("user {}", self.user % USERS))
        }
    }
}

/// A command shape with small indices; turned into a real command by [`Op::command`].
#[derive(Debug, Clone)]
enum Op {
    Create {
        creator: u8,
        kind: u8,
        others: Vec<u8>,
        id_matches: bool,
    },
    Update {
        who: Who,
        name: u8,
    },
    Archive {
        who: Who,
    },
    Restore {
        who: Who,
    },
    HardDelete {
        who: Who,
    },
    Send {
        who: Who,
        msg: u8,
        reply: Option<u8>,
        text: u8,
    },
    Edit {
        who: Who,
        msg: u8,
        text: u8,
    },
    Delete {
        who: Who,
        msg: u8,
    },
    Read {
        who: Who,
        msg: u8,
    },
    Add {
        who: Who,
        user: u8,
        role: u8,
    },
    Remove {
        who: Who,
        user: u8,
    },
    Leave {
        who: Who,
    },
    ChangeRole {
        who: Who,
        user: u8,
        role: u8,
    },
    Link {
        who: Who,
        topic: Option<i64>,
    },
    Unlink {
        who: Who,
    },
    Telegram {
        who: Who,
        msg: u8,
        tg_msg: u8,
        topic: Option<i64>,
    },
    Typing {
        who: Who,
    },
}

fn role(n: u8) -> Role {
    match n % 3 {
        0 => Role::Admin,
        1 => Role::Member,
        _ => Role::Observer,
    }
}

/// Texts: a few short ones, some equal (unchanged edits), one blank, one too long.
fn text(n: u8) -> String {
    match n % 6 {
        0 => " ".to_owned(),
        1 => "x".repeat(10_001),
        k => format!("text {k}"),
    }
}

impl Op {
    fn command(&self, step: usize) -> ChatCommand {
        let at = OffsetDateTime::UNIX_EPOCH + time::Duration::seconds(i64::try_from(step).unwrap());
        match self.clone() {
            Op::Create {
                creator,
                kind,
                others,
                id_matches,
            } => {
                let chat_type = match kind % 3 {
                    0 => ChatType::Direct,
                    1 => ChatType::Group,
                    _ => ChatType::Company,
                };
                let participants: Vec<UserId> = others.into_iter().map(user).collect();
                let chat_id = match (chat_type, participants.first()) {
                    (ChatType::Direct, Some(other)) if id_matches => {
                        direct_chat_id(user(creator), *other)
                    }
                    _ => GROUP,
                };
                CreateChat {
                    actor: Who {
                        user: creator,
                        service: false,
                    }
                    .actor(),
                    at,
                    chat_id,
                    chat_type,
                    name: Some(format!("chat {kind}")),
                    company_id: (kind % 2 == 0)
                        .then(|| chat_domain::CompanyId::from_uuid(Uuid::from_u128(9))),
                    participants,
                }
                .into()
            }
            Op::Update { who, name } => UpdateChat {
                actor: who.actor(),
                at,
                name: Some(format!("name {}", name % 3)),
            }
            .into(),
            Op::Archive { who } => ArchiveChat {
                actor: who.actor(),
                at,
            }
            .into(),
            Op::Restore { who } => RestoreChat {
                actor: who.actor(),
                at,
            }
            .into(),
            Op::HardDelete { who } => HardDeleteChat {
                actor: who.actor(),
                at,
            }
            .into(),
            Op::Send {
                who,
                msg,
                reply,
                text: t,
            } => SendMessage {
                actor: who.actor(),
                at,
                message_id: message(msg),
                content: text(t),
                reply_to: reply.map(message),
            }
            .into(),
            Op::Edit { who, msg, text: t } => EditMessage {
                actor: who.actor(),
                at,
                message_id: message(msg),
                content: text(t),
            }
            .into(),
            Op::Delete { who, msg } => DeleteMessage {
                actor: who.actor(),
                at,
                message_id: message(msg),
            }
            .into(),
            Op::Read { who, msg } => MarkMessagesRead {
                actor: who.actor(),
                at,
                up_to: message(msg),
            }
            .into(),
            Op::Add {
                who,
                user: u,
                role: r,
            } => AddParticipant {
                actor: who.actor(),
                at,
                user_id: user(u),
                role: role(r),
            }
            .into(),
            Op::Remove { who, user: u } => RemoveParticipant {
                actor: who.actor(),
                at,
                user_id: user(u),
            }
            .into(),
            Op::Leave { who } => LeaveChat {
                actor: who.actor(),
                at,
            }
            .into(),
            Op::ChangeRole {
                who,
                user: u,
                role: r,
            } => ChangeParticipantRole {
                actor: who.actor(),
                at,
                user_id: user(u),
                role: role(r),
            }
            .into(),
            Op::Link { who, topic } => LinkTelegram {
                actor: who.actor(),
                at,
                telegram_chat_id: TG,
                telegram_topic_id: topic,
            }
            .into(),
            Op::Unlink { who } => UnlinkTelegram {
                actor: who.actor(),
                at,
            }
            .into(),
            Op::Telegram {
                who,
                msg,
                tg_msg,
                topic,
            } => ReceiveTelegramMessage {
                actor: who.actor(),
                at,
                message_id: message(msg),
                telegram_chat_id: TG,
                telegram_topic_id: topic,
                telegram_message_id: i64::from(tg_msg % 6),
                telegram_user_id: 77,
                sender_name: "tg".to_owned(),
                content: text(tg_msg),
                reply_to: None,
            }
            .into(),
            Op::Typing { who } => Typing {
                actor: who.actor(),
                at,
            }
            .into(),
        }
    }
}

fn who() -> impl Strategy<Value = Who> {
    (0..USERS, prop::bool::weighted(0.1)).prop_map(|(user, service)| Who { user, service })
}

fn bridge_mostly() -> impl Strategy<Value = Who> {
    (0..USERS, prop::bool::weighted(0.9)).prop_map(|(user, service)| Who { user, service })
}

fn create() -> impl Strategy<Value = Op> {
    (
        0..USERS,
        0..3_u8,
        prop::collection::vec(0..USERS, 0..4),
        prop::bool::weighted(0.9),
    )
        .prop_map(|(creator, kind, others, id_matches)| Op::Create {
            creator,
            kind,
            others,
            id_matches,
        })
}

fn op() -> impl Strategy<Value = Op> {
    let m = 0..MESSAGES;
    let topic = prop::option::weighted(0.3, 1..3_i64);
    prop_oneof![
        1 => create(),
        1 => (who(), any::<u8>()).prop_map(|(who, name)| Op::Update { who, name }),
        1 => who().prop_map(|who| Op::Archive { who }),
        1 => who().prop_map(|who| Op::Restore { who }),
        1 => who().prop_map(|who| Op::HardDelete { who }),
        12 => (who(), m.clone(), prop::option::weighted(0.2, m.clone()), 2..6_u8)
            .prop_map(|(who, msg, reply, text)| Op::Send { who, msg, reply, text }),
        1 => (who(), m.clone(), 1..6_u8).prop_map(|(who, msg, text)| Op::Send { who, msg, reply: None, text }),
        4 => (who(), m.clone(), any::<u8>()).prop_map(|(who, msg, text)| Op::Edit { who, msg, text }),
        4 => (who(), m.clone()).prop_map(|(who, msg)| Op::Delete { who, msg }),
        8 => (who(), m.clone()).prop_map(|(who, msg)| Op::Read { who, msg }),
        4 => (who(), 0..USERS, any::<u8>()).prop_map(|(who, user, role)| Op::Add { who, user, role }),
        2 => (who(), 0..USERS).prop_map(|(who, user)| Op::Remove { who, user }),
        2 => who().prop_map(|who| Op::Leave { who }),
        3 => (who(), 0..USERS, any::<u8>()).prop_map(|(who, user, role)| Op::ChangeRole { who, user, role }),
        2 => (who(), topic.clone()).prop_map(|(who, topic)| Op::Link { who, topic }),
        1 => who().prop_map(|who| Op::Unlink { who }),
        // Mostly from the bridge, as in production; sometimes a user (rejected).
        4 => (bridge_mostly(), m, any::<u8>(), topic)
            .prop_map(|(who, msg, tg_msg, topic)| Op::Telegram { who, msg, tg_msg, topic }),
        1 => who().prop_map(|who| Op::Typing { who }),
    ]
}

/// A creation followed by random commands (more creations among them).
fn script() -> impl Strategy<Value = Vec<Op>> {
    (create(), prop::collection::vec(op(), 0..80)).prop_map(|(first, mut rest)| {
        rest.insert(0, first);
        rest
    })
}

/// The read models a projector keeps for the chat.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Views {
    summary: Option<ChatSummary>,
    participants: ParticipantList,
    reads: ChatReadStatus,
}

impl Views {
    fn new(chat: ChatId) -> Self {
        Self {
            summary: None,
            participants: ParticipantList::new(chat),
            reads: ChatReadStatus::new(chat),
        }
    }

    fn apply(&mut self, event: &ChatEvent) {
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

fn check_invariants(before: &ChatState, after: &ChatState, views: &Views) {
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
            data.unread_count(u),
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
fn run(script: &[Op]) -> (Vec<ChatEvent>, ChatState, Option<Views>) {
    let mut state = ChatState::default();
    let mut log: Vec<ChatEvent> = Vec::new();
    let mut views: Option<Views> = None;
    for (step, op) in script.iter().enumerate() {
        let Ok(events) = Chat::decide(&state, op.command(step)) else {
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
            check_invariants(&before, &state, v);
        }
    }
    (log, state, views)
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
    fn direct_chat_ids_do_not_depend_on_order(a in any::<u128>(), b in any::<u128>()) {
        let (a, b) = (UserId::from_uuid(Uuid::from_u128(a)), UserId::from_uuid(Uuid::from_u128(b)));
        prop_assert_eq!(direct_chat_id(a, b), direct_chat_id(b, a));
    }
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
