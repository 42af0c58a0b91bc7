//! A deterministic, realistic event stream for projector tests: many chats whose
//! commands (every kind: sends, edits, deletes, reads, joins, leaves, roles, renames,
//! archive, Telegram) are decided by the real aggregate, interleaved across chats, with
//! message times spread over many buckets; one send in five carries an image.

use chat_domain::chat::commands::{CreateChat, SendMessage};
use chat_domain::chat::events::TelegramLinkChange;
use chat_domain::chat::object_key;
use chat_domain::testing::fixtures as f;
use chat_domain::testing::reference::ParticipantList;
use chat_domain::{
    Actor, ChatCommand, ChatEvent, ChatId, ChatState, ChatType, Envelope, EnvelopeMeta,
    InMemoryChat, Media, MessageId, Role, UserId,
};
use time::OffsetDateTime;
use uuid::{Timestamp, Uuid};

/// Users per chat (the first is the creator and admin).
const USERS: u128 = 6;

/// The stream's time span: 60 days, six 10-day buckets.
const SPAN_SECONDS: i64 = 60 * 24 * 60 * 60;

/// A small deterministic generator (no randomness source in tests: reruns are equal).
#[derive(Debug)]
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from((self.0 >> 33) % (n.max(1) as u64)).unwrap_or(0)
    }
}

/// One chat being simulated.
#[derive(Debug)]
struct Sim {
    id: ChatId,
    users: Vec<UserId>,
    chat: InMemoryChat,
    members: ParticipantList,
    messages: Vec<(MessageId, Option<UserId>)>,
    telegram_ids: i64,
    archived: bool,
}

impl Sim {
    /// An image of this chat (upload `seq`), as a send names it.
    fn image(&self, seq: u32) -> Media {
        let mut media = f::png(0);
        media.attachment.key = object_key(self.id, Uuid::from_u128(u128::from(seq)));
        media
    }
}

/// A TIMEUUID at `at` (the sequence number keeps ids unique within a tick).
fn message_id(at: OffsetDateTime, seq: u32) -> MessageId {
    let secs = u64::try_from(at.unix_timestamp()).unwrap_or(0);
    // Distinct 100 ns ticks per sequence number: ids never share a time.
    let ts = Timestamp::from_unix_time(secs, (seq % 1_000_000) * 100, 0, 14);
    MessageId::from_uuid(Uuid::new_v1(ts, &[0x03, 0, 0, 0, 0, 0x07]))
}

macro_rules! at {
    ($command:expr, $at:expr) => {{
        let mut command = $command;
        command.at = $at;
        ChatCommand::from(command)
    }};
}

impl Sim {
    fn new(n: usize) -> Self {
        let base = 0x5EED_0000_u128 + (n as u128) * 0x100;
        let users: Vec<UserId> = (0..USERS).map(|u| f::user(base + u)).collect();
        let id = ChatId::from_uuid(Uuid::from_u128(0xC0FF_EE00_0000 + n as u128));
        Self {
            id,
            users,
            chat: InMemoryChat::default(),
            members: ParticipantList::new(id),
            messages: Vec::new(),
            telegram_ids: 0,
            archived: false,
        }
    }

    fn admin(&self) -> UserId {
        self.users[0]
    }

    fn pick_member(&self, rng: &mut Lcg) -> Option<UserId> {
        let members: Vec<UserId> = self.members.participants.keys().copied().collect();
        (!members.is_empty()).then(|| members[rng.below(members.len())])
    }

    /// A command for this chat (the aggregate may still refuse it).
    fn command(&self, rng: &mut Lcg, at: OffsetDateTime, seq: u32) -> ChatCommand {
        let admin = self.admin();
        if *self.chat.state() == ChatState::Absent {
            return ChatCommand::from(CreateChat {
                at,
                chat_type: ChatType::Group,
                ..f::create_group(admin, self.id, &self.users[1..3])
            });
        }
        if self.archived {
            return at!(f::restore(admin), at);
        }
        let anyone = self.pick_member(rng).unwrap_or(admin);
        let some_user = self.users[rng.below(self.users.len())];
        let message =
            (!self.messages.is_empty()).then(|| self.messages[rng.below(self.messages.len())]);
        let roll = rng.below(100);
        match (roll, message) {
            (0..50, _) => ChatCommand::from(SendMessage {
                at,
                media: seq.is_multiple_of(5).then(|| self.image(seq)),
                ..f::send(anyone, message_id(at, seq), &format!("message {seq}"))
            }),
            (50..58, Some((id, Some(sender)))) => {
                at!(f::edit(Actor::user(sender), id, &format!("edit {seq}")), at)
            }
            (58..64, Some((id, _))) => at!(f::delete(Actor::user(admin), id), at),
            (64..74, Some((id, _))) => at!(f::read(anyone, id), at),
            (74..82, _) => at!(f::add(admin, some_user, Role::Member), at),
            (82..85, _) => at!(f::remove(admin, some_user), at),
            (85..87, _) => at!(f::leave(some_user), at),
            (87..90, _) => at!(f::set_role(admin, some_user, Role::Observer), at),
            (90..93, _) => at!(f::rename(admin, &format!("room {seq}")), at),
            (93..94, _) => at!(f::archive(admin), at),
            (94..96, _) => at!(f::link(admin, None), at),
            (96..97, _) => at!(f::unlink(admin), at),
            (97..98, _) => {
                let change = if seq.is_multiple_of(2) {
                    TelegramLinkChange::Broken {
                        reason: "CHANNEL_PRIVATE".into(),
                    }
                } else {
                    TelegramLinkChange::Restored
                };
                at!(f::link_change(message_id(at, seq), change), at)
            }
            _ => at!(
                f::telegram(message_id(at, seq), self.telegram_ids + 1, "from telegram"),
                at
            ),
        }
    }

    /// Decides `command`; the accepted events, folded into the simulation.
    fn run(&mut self, command: ChatCommand) -> Vec<ChatEvent> {
        let Ok(events) = self.chat.run(command) else {
            return Vec::new();
        };
        for event in &events {
            self.members.apply(event);
            match event {
                ChatEvent::MessageSent(e) => self.messages.push((e.message_id, Some(e.sender_id))),
                ChatEvent::TelegramMessageReceived(e) => {
                    self.messages.push((e.message_id, None));
                    self.telegram_ids += 1;
                }
                ChatEvent::TelegramLinkChanged(e) => self.messages.push((e.notice_id, None)),
                ChatEvent::ChatArchived(_) => self.archived = true,
                ChatEvent::ChatRestored(_) => self.archived = false,
                _ => {}
            }
        }
        events
    }
}

/// `total` events (at least) over `chats` chats, interleaved as concurrent traffic would
/// be. Every tenth chat ends hard-deleted; every other chat ends with a message.
#[must_use]
pub fn workload(chats: usize, total: usize, seed: u64) -> Vec<Envelope> {
    let mut rng = Lcg(seed);
    let mut sims: Vec<Sim> = (0..chats).map(Sim::new).collect();
    let start =
        OffsetDateTime::from_unix_timestamp(1_767_225_600).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let step = SPAN_SECONDS / i64::try_from(total.max(1)).unwrap_or(1);
    let mut envelopes = Vec::with_capacity(total + chats * 3);
    let mut seq = 0_u32;
    let meta = |command: &ChatCommand| EnvelopeMeta::for_command(command, Uuid::from_u128(7), None);
    let push = |sim: &mut Sim, command: ChatCommand, envelopes: &mut Vec<Envelope>| {
        let m = meta(&command);
        envelopes.extend(sim.run(command).into_iter().map(|e| Envelope::new(e, &m)));
    };
    while envelopes.len() < total {
        for sim in &mut sims {
            seq += 1;
            let at = start + time::Duration::seconds(step * i64::from(seq) / 2);
            let command = sim.command(&mut rng, at, seq);
            push(sim, command, &mut envelopes);
        }
    }
    let end = start + time::Duration::seconds(SPAN_SECONDS);
    for (n, sim) in sims.iter_mut().enumerate() {
        seq += 1;
        let admin = sim.admin();
        if sim.archived {
            push(sim, at!(f::restore(admin), end), &mut envelopes);
        }
        if n % 10 == 9 {
            push(
                sim,
                at!(f::hard_delete(Actor::user(admin)), end),
                &mut envelopes,
            );
            continue;
        }
        // The last event of a chat has rows for both projectors (their checkpoints then
        // mark the chat complete): a message by whoever may still write.
        let writers: Vec<UserId> = sim.members.participants.keys().copied().collect();
        for writer in writers {
            let before = envelopes.len();
            let last = ChatCommand::from(SendMessage {
                at: end,
                ..f::send(writer, message_id(end, seq), "the end")
            });
            push(sim, last, &mut envelopes);
            if envelopes.len() > before {
                break;
            }
        }
    }
    envelopes
}
