//! Hub routing without sockets or Kafka.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chat_domain::testing::fixtures::{
    ALICE, BOB, CAROL, DAVE, EVE, add, by, create_group, hard_delete, msg, remove, send,
};
use chat_domain::{
    ChatCommand, ChatError, ChatId, Envelope, EnvelopeMeta, InMemoryChat, Role, UserId,
};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::{Connection, Hub, HubSettings, MembershipRow, Resumed, TypingRefused};
use crate::protocol::{Frame, TypingSignal};

fn hub(replay: usize, buffer: usize) -> Arc<Hub> {
    hub_with_budget(replay, buffer, usize::MAX)
}

fn hub_with_budget(replay: usize, buffer: usize, replay_bytes: usize) -> Arc<Hub> {
    Arc::new(Hub::new(HubSettings {
        replay_per_chat: replay,
        replay_bytes,
        connection_buffer: buffer,
        typing_interval: Duration::from_secs(2),
    }))
}

fn chat(n: u128) -> ChatId {
    ChatId::from_uuid(Uuid::from_u128(n))
}

/// One chat's history, decided command by command.
struct Feed {
    chat: InMemoryChat,
}

impl Feed {
    fn new() -> Self {
        Self {
            chat: InMemoryChat::default(),
        }
    }

    fn run(&mut self, hub: &Hub, command: impl Into<ChatCommand>) -> Vec<Envelope> {
        let command = command.into();
        let meta = EnvelopeMeta::for_command(&command, Uuid::nil(), None);
        let events = self.chat.run(command).expect("accepted");
        let envelopes = Envelope::wrap_all(events, &meta);
        for e in &envelopes {
            hub.publish(e, None).expect("publish");
        }
        envelopes
    }
}

fn received(connection: &mut Connection) -> Vec<Frame> {
    let mut frames = Vec::new();
    while let Ok(frame) = connection.frames.try_recv() {
        frames.push(frame);
    }
    frames
}

fn versions_of(frames: &[Frame], chat: ChatId) -> Vec<u64> {
    frames
        .iter()
        .filter(|f| f.chat_id == chat)
        .filter_map(|f| f.version)
        .collect()
}

fn row(chat_id: ChatId, since: u64) -> MembershipRow {
    MembershipRow {
        chat_id,
        role: Some(Role::Member),
        since,
    }
}

#[test]
fn events_reach_exactly_the_members_from_join_to_removal() {
    let hub = hub(16, 64);
    let token = CancellationToken::new();
    let (c1, c2) = (chat(1), chat(2));
    let mut alice = hub.connect(ALICE, &[], &token);
    let mut eve = hub.connect(EVE, &[], &token);
    let mut one = Feed::new();
    let mut two = Feed::new();
    one.run(&hub, create_group(ALICE, c1, &[]));
    two.run(&hub, create_group(BOB, c2, &[]));
    one.run(&hub, send(ALICE, msg(1), "a"));
    one.run(&hub, add(ALICE, EVE, Role::Member)); // v4
    one.run(&hub, send(ALICE, msg(2), "b"));
    one.run(&hub, remove(ALICE, EVE)); // v6
    one.run(&hub, send(ALICE, msg(3), "c"));
    two.run(&hub, send(BOB, msg(4), "d"));

    let alice_frames = received(&mut alice);
    assert_eq!(versions_of(&alice_frames, c1), vec![1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(versions_of(&alice_frames, c2), Vec::<u64>::new());
    let eve_frames = received(&mut eve);
    assert_eq!(versions_of(&eve_frames, c1), vec![4, 5, 6]);
    assert!(versions_of(&eve_frames, c2).is_empty());
}

#[test]
fn a_redelivered_event_is_routed_once() {
    let hub = hub(16, 64);
    let token = CancellationToken::new();
    let mut feed = Feed::new();
    let mut bob = hub.connect(BOB, &[row(chat(1), 3)], &token);
    let envelopes = feed.run(&hub, create_group(ALICE, chat(1), &[BOB]));
    for e in &envelopes {
        hub.publish(e, None).expect("publish again");
    }
    assert_eq!(versions_of(&received(&mut bob), chat(1)), vec![3]);
}

#[test]
fn resume_gives_what_was_missed_or_resync() {
    let hub = hub(5, 64);
    let token = CancellationToken::new();
    let c = chat(1);
    let mut feed = Feed::new();
    feed.run(&hub, create_group(ALICE, c, &[BOB]));
    for n in 1..=6 {
        feed.run(&hub, send(ALICE, msg(n), "x"));
    }
    // The buffer holds versions 5..=9.
    let versions = |r: Resumed| match r {
        Resumed::Frames(frames) => frames.iter().filter_map(|f| f.version).collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    assert_eq!(versions(hub.resume(BOB, c, 6)), vec![7, 8, 9]);
    assert_eq!(versions(hub.resume(BOB, c, 4)), vec![5, 6, 7, 8, 9]);
    assert_eq!(versions(hub.resume(BOB, c, 9)), Vec::<u64>::new());
    // The client saw a version this gateway has not routed yet: it lags.
    assert_eq!(hub.resume(BOB, c, 10), Resumed::Behind);
    assert_eq!(hub.resume(BOB, c, 3), Resumed::Resync);
    assert_eq!(hub.resume(EVE, c, 3), Resumed::NotAParticipant);
    // A user known only from a row newer than the gap cannot be vouched for.
    let _carol = hub.connect(CAROL, &[row(c, 8)], &token);
    assert_eq!(hub.resume(CAROL, c, 5), Resumed::Resync);
    assert_eq!(versions(hub.resume(CAROL, c, 7)), vec![8, 9]);
}

#[test]
fn only_the_most_recently_active_chats_keep_their_buffers() {
    // Room for exactly two chats' creation (the frames of each have the same size).
    let creation: usize = Feed::new()
        .run(&hub(16, 64), create_group(ALICE, chat(9), &[BOB]))
        .iter()
        .map(|e| Frame::event(e, None).expect("frame").text.len())
        .sum();
    let hub = hub_with_budget(16, 64, 2 * creation);
    let token = CancellationToken::new();
    let _bob = hub.connect(
        BOB,
        &[row(chat(1), 3), row(chat(2), 3), row(chat(3), 3)],
        &token,
    );
    let mut feeds: Vec<Feed> = (0..3).map(|_| Feed::new()).collect();
    for (n, feed) in feeds.iter_mut().enumerate() {
        feed.run(&hub, create_group(ALICE, chat(n as u128 + 1), &[BOB]));
    }
    // Chat 1 is the least recently active of three, with room for two.
    assert_eq!(hub.resume(BOB, chat(1), 3), Resumed::Resync);
    assert_eq!(hub.resume(BOB, chat(3), 3), Resumed::Frames(vec![]));
    feeds[0].run(&hub, send(ALICE, msg(1), "x"));
    // Chat 1 starts over from its newest event and chat 2 is now evicted.
    assert_eq!(hub.resume(BOB, chat(2), 3), Resumed::Resync);
    assert!(matches!(hub.resume(BOB, chat(1), 3), Resumed::Frames(f) if f.len() == 1));
}

#[test]
fn a_full_queue_cuts_only_that_connection() {
    let hub = hub(16, 3);
    let token = CancellationToken::new();
    let c = chat(1);
    let mut slow = hub.connect(ALICE, &[], &token);
    let mut fast = hub.connect(ALICE, &[], &token);
    let mut feed = Feed::new();
    feed.run(&hub, create_group(ALICE, c, &[])); // v1, v2
    assert_eq!(received(&mut fast).len(), 2);
    feed.run(&hub, send(ALICE, msg(1), "x"));
    feed.run(&hub, send(ALICE, msg(2), "y")); // the slow queue overflows here
    assert!(slow.kicked.is_cancelled());
    assert!(!fast.kicked.is_cancelled());
    assert_eq!(hub.stats().slow_disconnects(), 1);
    feed.run(&hub, send(ALICE, msg(3), "z"));
    assert_eq!(versions_of(&received(&mut fast), c), vec![3, 4, 5]);
    assert_eq!(versions_of(&received(&mut slow), c), vec![1, 2, 3]);
    drop(slow);
    assert_eq!(hub.stats().connections(), 1);
}

#[test]
fn typing_reaches_the_other_participants_at_most_once_per_interval() {
    let hub = hub(16, 64);
    let token = CancellationToken::new();
    let c = chat(1);
    let mut alice = hub.connect(ALICE, &[], &token);
    let mut bob = hub.connect(BOB, &[], &token);
    let mut eve = hub.connect(EVE, &[], &token);
    Feed::new().run(&hub, create_group(ALICE, c, &[BOB]));
    received(&mut alice);
    received(&mut bob);
    let signal = |user: UserId| TypingSignal {
        chat_id: c,
        user_id: user,
        name: Some("Ann".into()),
        at: chat_domain::testing::fixtures::T0,
    };
    let t0 = Instant::now();
    assert_eq!(hub.typing(&signal(ALICE), t0), Ok(()));
    assert_eq!(
        hub.typing(&signal(ALICE), t0 + Duration::from_millis(500)),
        Err(TypingRefused::TooFrequent)
    );
    assert_eq!(
        hub.typing(&signal(ALICE), t0 + Duration::from_secs(3)),
        Ok(())
    );
    assert_eq!(
        hub.typing(&signal(EVE), t0),
        Err(TypingRefused::Rule(ChatError::NotAParticipant))
    );
    // Observers read only, as the aggregate's typing rule says.
    let _dave = hub.connect(
        DAVE,
        &[MembershipRow {
            chat_id: c,
            role: Some(Role::Observer),
            since: 4,
        }],
        &token,
    );
    assert_eq!(
        hub.typing(&signal(DAVE), t0),
        Err(TypingRefused::Rule(ChatError::ObserverCannotWrite))
    );
    let to_bob = received(&mut bob);
    assert_eq!(to_bob.len(), 2);
    assert!(to_bob[0].text.contains("\"t\":\"user_typing\""));
    assert!(received(&mut alice).is_empty(), "not echoed to the typist");
    assert!(received(&mut eve).is_empty());
}

#[test]
fn a_hard_delete_reaches_the_members_and_ends_every_membership() {
    let hub = hub(16, 64);
    let token = CancellationToken::new();
    let c = chat(1);
    let mut bob = hub.connect(BOB, &[row(c, 3)], &token);
    let mut feed = Feed::new();
    feed.run(&hub, create_group(ALICE, c, &[BOB]));
    feed.run(&hub, hard_delete(by(ALICE))); // v4
    assert_eq!(versions_of(&received(&mut bob), c), vec![3, 4]);
    // A stale read-model row read after the deletion does not bring the chat back.
    let _carol = hub.connect(CAROL, &[row(c, 2)], &token);
    let signal = TypingSignal {
        chat_id: c,
        user_id: CAROL,
        name: None,
        at: chat_domain::testing::fixtures::T0,
    };
    assert_eq!(
        hub.typing(&signal, Instant::now()),
        Err(TypingRefused::Rule(ChatError::NotAParticipant))
    );
}
