//! Random command scripts: small indices turned into real commands.

use chat_domain::{
    Actor, Attachment, ChatCommand, ChatId, ChatType, Media, MediaKind, MessageId, Role, UserId,
    chat::commands::{
        AddParticipant, ArchiveChat, ChangeParticipantRole, CreateChat, DeleteMessage, EditMessage,
        HardDeleteChat, LeaveChat, LinkTelegram, MarkMessagesRead, ReceiveTelegramMessage,
        RemoveParticipant, RestoreChat, SendMessage, Typing, UnlinkTelegram, UpdateChat,
    },
    chat::object_key,
    direct_chat_id,
};
use proptest::prelude::*;
use time::OffsetDateTime;
use uuid::Uuid;

pub(crate) const USERS: u8 = 5;
pub(crate) const MESSAGES: u8 = 8;
const GROUP: ChatId = ChatId::from_uuid(Uuid::from_u128(0x6_0000));
const TG: i64 = -1_000_000_001_005;

pub(crate) fn user(n: u8) -> UserId {
    UserId::from_uuid(Uuid::from_u128(0x1000 + u128::from(n % USERS)))
}

pub(crate) fn message(n: u8) -> MessageId {
    let ts =
        uuid::Timestamp::from_gregorian_time(0x01EF_0000_0000_0000 + u64::from(n % MESSAGES), 0);
    MessageId::from_uuid(Uuid::new_v1(ts, &[2, 0, 0, 0, 0, 1]))
}

/// Who acts: a user (index) or, when `service`, the bridge.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Who {
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
pub(crate) enum Op {
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
    /// A send with a file (see [`media`]), its caption empty or not.
    SendMedia {
        who: Who,
        msg: u8,
        file: u8,
        caption: bool,
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
/// A file for a send: mostly ones the rules take (an image, a voice note, a document of
/// the group), sometimes one they refuse (too large, the wrong type, another chat's).
fn media(n: u8) -> Media {
    let (kind, mime_type, size) = match n % 6 {
        0 | 1 => (MediaKind::Image, "image/png", 1_000),
        2 => (MediaKind::Voice, "audio/ogg", 70_000),
        3 => (MediaKind::File, "application/pdf", 50 * 1024 * 1024 + 1),
        4 => (MediaKind::Image, "application/pdf", 10),
        _ => (MediaKind::File, "application/pdf", 5_000),
    };
    let chat = if n % 12 == 11 {
        ChatId::from_uuid(Uuid::from_u128(1))
    } else {
        GROUP
    };
    Media {
        kind,
        attachment: Attachment {
            key: object_key(chat, Uuid::from_u128(u128::from(n))),
            name: format!("file {n}"),
            size,
            mime_type: mime_type.to_owned(),
            width: None,
            height: None,
            duration_secs: None,
        },
    }
}

fn text(n: u8) -> String {
    match n % 6 {
        0 => " ".to_owned(),
        1 => "x".repeat(10_001),
        k => format!("text {k}"),
    }
}

impl Op {
    pub(crate) fn command(&self, step: usize) -> ChatCommand {
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
                media: None,
            }
            .into(),
            Op::SendMedia {
                who,
                msg,
                file,
                caption,
            } => SendMessage {
                actor: who.actor(),
                at,
                message_id: message(msg),
                content: if caption { text(file) } else { String::new() },
                reply_to: None,
                media: Some(media(file)),
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
                media: None,
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
        4 => (who(), m.clone(), any::<u8>(), any::<bool>())
            .prop_map(|(who, msg, file, caption)| Op::SendMedia { who, msg, file, caption }),
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
pub(crate) fn script() -> impl Strategy<Value = Vec<Op>> {
    (create(), prop::collection::vec(op(), 0..80)).prop_map(|(first, mut rest)| {
        rest.insert(0, first);
        rest
    })
}
