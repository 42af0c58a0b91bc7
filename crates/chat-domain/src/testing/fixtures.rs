//! Deterministic ids, times, command builders and histories for tests.
//!
//! Every builder issues its command at [`T0`] under a user actor without display name,
//! unless stated. [`History::group`] is the common starting point:
//!
//! | version | event |
//! |---|---|
//! | 1 | `ChatCreated` (group [`CHAT`], by [`ALICE`]) |
//! | 2 | `ParticipantAdded` ALICE, admin |
//! | 3 | `ParticipantAdded` BOB, member |
//! | 4 | `ParticipantAdded` CAROL, member |
//! | 5 | `ParticipantAdded` DAVE, observer |
//!
//! [`EVE`] never participates.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    Actor, Attachment, ChatCommand, ChatEvent, ChatState, ChatType, InMemoryChat, Media, MediaKind,
    MessageLog, Role,
    chat::attachment::object_key,
    chat::commands::{
        AddParticipant, ArchiveChat, ChangeParticipantRole, CreateChat, DeleteMessage, EditMessage,
        HardDeleteChat, LeaveChat, LinkTelegram, MarkMessagesRead, ReceiveTelegramMessage,
        RemoveParticipant, ReportTelegramLinkChange, RestoreChat, SendMessage, Typing,
        UnlinkTelegram, UpdateChat,
    },
    chat::events::TelegramLinkChange,
    ids::{ChatId, MessageId, UserId, direct_chat_id},
};

/// A deterministic user id.
#[must_use]
pub const fn user(n: u128) -> UserId {
    UserId::from_uuid(Uuid::from_u128(n))
}

/// The group chat's creator and admin.
pub const ALICE: UserId = user(0xA11CE);
/// A member.
pub const BOB: UserId = user(0xB0B);
/// A member.
pub const CAROL: UserId = user(0xCA201);
/// An observer.
pub const DAVE: UserId = user(0xDA7E);
/// Never a participant.
pub const EVE: UserId = user(0xE7E);
/// The group chat.
pub const CHAT: ChatId = ChatId::from_uuid(Uuid::from_u128(0xC4A7));
/// The linked supergroup.
pub const TG_GROUP: i64 = -1_001_234_567_890;
/// 2025-01-01T00:00:00Z, the time of every fixture command.
pub const T0: OffsetDateTime =
    OffsetDateTime::UNIX_EPOCH.saturating_add(time::Duration::seconds(1_735_689_600));

/// A deterministic TIMEUUID message id (`n` orders them by time, as a caller's would).
#[must_use]
pub fn msg(n: u64) -> MessageId {
    let ts = uuid::Timestamp::from_gregorian_time(0x01EF_0000_0000_0000 + n, 0);
    MessageId::from_uuid(Uuid::new_v1(ts, &[0x02, 0, 0, 0, 0, 0x01]))
}

/// A user actor.
#[must_use]
pub const fn by(u: UserId) -> Actor {
    Actor::user(u)
}

/// The Telegram bridge's service identity.
#[must_use]
pub fn bridge() -> Actor {
    Actor::service("telegram-bridge")
}

/// `CreateChat` of a group `chat` by `creator` with `others`.
#[must_use]
pub fn create_group(creator: UserId, chat: ChatId, others: &[UserId]) -> CreateChat {
    CreateChat {
        actor: by(creator),
        at: T0,
        chat_id: chat,
        chat_type: ChatType::Group,
        name: Some("general".to_owned()),
        company_id: None,
        participants: others.to_vec(),
    }
}

/// `CreateChat` of the direct chat of `a` (creator) and `b`.
#[must_use]
pub fn create_direct(a: UserId, b: UserId) -> CreateChat {
    CreateChat {
        actor: by(a),
        at: T0,
        chat_id: direct_chat_id(a, b),
        chat_type: ChatType::Direct,
        name: None,
        company_id: None,
        participants: vec![b],
    }
}

/// `UpdateChat` renaming to `name`.
#[must_use]
pub fn rename(u: UserId, name: &str) -> UpdateChat {
    UpdateChat {
        actor: by(u),
        at: T0,
        name: Some(name.to_owned()),
    }
}

/// `ArchiveChat`.
#[must_use]
pub const fn archive(u: UserId) -> ArchiveChat {
    ArchiveChat {
        actor: by(u),
        at: T0,
    }
}

/// `RestoreChat`.
#[must_use]
pub const fn restore(u: UserId) -> RestoreChat {
    RestoreChat {
        actor: by(u),
        at: T0,
    }
}

/// `HardDeleteChat`.
#[must_use]
pub const fn hard_delete(actor: Actor) -> HardDeleteChat {
    HardDeleteChat { actor, at: T0 }
}

/// `SendMessage` without reply.
#[must_use]
pub fn send(u: UserId, id: MessageId, content: &str) -> SendMessage {
    SendMessage {
        actor: by(u),
        at: T0,
        message_id: id,
        content: content.to_owned(),
        reply_to: None,
        media: None,
    }
}

/// A 1 KiB PNG of [`CHAT`] (upload `upload`, 640x480), as a send names it.
#[must_use]
pub fn png(upload: u128) -> Media {
    Media {
        kind: MediaKind::Image,
        attachment: Attachment {
            key: object_key(CHAT, Uuid::from_u128(upload)),
            name: "photo.png".to_owned(),
            size: 1024,
            mime_type: "image/png".to_owned(),
            width: Some(640),
            height: Some(480),
            duration_secs: None,
        },
    }
}

/// `SendMessage` of `media` with `caption`.
#[must_use]
pub fn send_media(u: UserId, id: MessageId, caption: &str, media: Media) -> SendMessage {
    SendMessage {
        media: Some(media),
        ..send(u, id, caption)
    }
}

/// `EditMessage`.
#[must_use]
pub fn edit(actor: Actor, id: MessageId, content: &str) -> EditMessage {
    EditMessage {
        actor,
        at: T0,
        message_id: id,
        content: content.to_owned(),
    }
}

/// `DeleteMessage`.
#[must_use]
pub const fn delete(actor: Actor, id: MessageId) -> DeleteMessage {
    DeleteMessage {
        actor,
        at: T0,
        message_id: id,
    }
}

/// `MarkMessagesRead` up to `id`.
#[must_use]
pub const fn read(u: UserId, id: MessageId) -> MarkMessagesRead {
    MarkMessagesRead {
        actor: by(u),
        at: T0,
        up_to: id,
    }
}

/// `AddParticipant`.
#[must_use]
pub const fn add(admin: UserId, u: UserId, role: Role) -> AddParticipant {
    AddParticipant {
        actor: by(admin),
        at: T0,
        user_id: u,
        role,
    }
}

/// `RemoveParticipant`.
#[must_use]
pub const fn remove(admin: UserId, u: UserId) -> RemoveParticipant {
    RemoveParticipant {
        actor: by(admin),
        at: T0,
        user_id: u,
    }
}

/// `LeaveChat`.
#[must_use]
pub const fn leave(u: UserId) -> LeaveChat {
    LeaveChat {
        actor: by(u),
        at: T0,
    }
}

/// `ChangeParticipantRole`.
#[must_use]
pub const fn set_role(admin: UserId, u: UserId, role: Role) -> ChangeParticipantRole {
    ChangeParticipantRole {
        actor: by(admin),
        at: T0,
        user_id: u,
        role,
    }
}

/// `LinkTelegram` to [`TG_GROUP`], optionally a topic.
#[must_use]
pub const fn link(admin: UserId, topic: Option<i64>) -> LinkTelegram {
    LinkTelegram {
        actor: by(admin),
        at: T0,
        telegram_chat_id: TG_GROUP,
        telegram_topic_id: topic,
    }
}

/// `UnlinkTelegram`.
#[must_use]
pub const fn unlink(admin: UserId) -> UnlinkTelegram {
    UnlinkTelegram {
        actor: by(admin),
        at: T0,
    }
}

/// `ReceiveTelegramMessage` from [`TG_GROUP`] (no topic) by Telegram user 42 "Tg User",
/// issued by [`bridge`].
#[must_use]
pub fn telegram(id: MessageId, telegram_message_id: i64, content: &str) -> ReceiveTelegramMessage {
    ReceiveTelegramMessage {
        actor: bridge(),
        at: T0,
        message_id: id,
        telegram_chat_id: TG_GROUP,
        telegram_topic_id: None,
        telegram_message_id,
        telegram_user_id: 42,
        sender_name: "Tg User".to_owned(),
        content: content.to_owned(),
        reply_to: None,
        media: None,
    }
}

/// `ReportTelegramLinkChange` for [`TG_GROUP`] with notice `notice_id`, issued by
/// [`bridge`].
#[must_use]
pub fn link_change(notice_id: MessageId, change: TelegramLinkChange) -> ReportTelegramLinkChange {
    ReportTelegramLinkChange {
        actor: bridge(),
        at: T0,
        notice_id,
        telegram_chat_id: TG_GROUP,
        change,
    }
}

/// `Typing`.
#[must_use]
pub const fn typing(u: UserId) -> Typing {
    Typing {
        actor: by(u),
        at: T0,
    }
}

/// A history built by running commands through `decide` (each must be accepted).
#[derive(Debug, Default, Clone)]
pub struct History {
    chat: InMemoryChat,
    events: Vec<ChatEvent>,
}

impl History {
    /// No events.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The group chat of the module table (version 5).
    #[must_use]
    pub fn group() -> Self {
        Self::new()
            .run(create_group(ALICE, CHAT, &[BOB, CAROL]))
            .run(add(ALICE, DAVE, Role::Observer))
    }

    /// Runs a command.
    ///
    /// # Panics
    /// When the command is rejected.
    #[must_use]
    #[track_caller]
    pub fn run(mut self, command: impl Into<ChatCommand>) -> Self {
        match self.chat.run(command.into()) {
            Ok(events) => {
                self.events.extend(events);
                self
            }
            Err(e) => panic!("history command rejected: {e:?}"),
        }
    }

    /// The state so far.
    #[must_use]
    pub const fn state(&self) -> &ChatState {
        self.chat.state()
    }

    /// The message index so far.
    #[must_use]
    pub const fn messages(&self) -> &MessageLog {
        self.chat.messages()
    }

    /// The exact unread count of `user` so far.
    #[must_use]
    pub fn unread_count(&self, user: UserId) -> u64 {
        self.chat.unread_count(user)
    }

    /// The events so far.
    #[must_use]
    pub fn events(self) -> Vec<ChatEvent> {
        self.events
    }
}
