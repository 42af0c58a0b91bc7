//! grammers' raw types into the port's: pure functions, unit-tested without Telegram.
//!
//! Ids: supergroups are named by their Bot API dialog id (`-100…`), the form admins see
//! in tools and use to link a chat. Forum topics: a message in topic `T` carries a reply
//! header with `forum_topic` set and `reply_to_msg_id = T`; a reply inside the topic also
//! has `reply_to_top_id = T` and `reply_to_msg_id` = the parent.

use grammers_mtsender::InvocationError;
use grammers_session::types::{PeerId, UpdateState};
use grammers_session::updates::{MessageBox, State};
use grammers_tl_types as tl;

use super::media::map_media;
use crate::limits::TextLimit;
use crate::ports::{GatewayError, TelegramMessage, TelegramUpdate};

/// The port's update for a raw Telegram update, or `None` for updates the bridge does not
/// mirror (service messages, reactions, anything else). `sender_name` is the author's
/// name as the update's peer map resolved it.
#[must_use]
pub fn map_update(raw: &tl::enums::Update, sender_name: Option<&str>) -> Option<TelegramUpdate> {
    use tl::enums::Update as U;
    match raw {
        U::NewChannelMessage(u) => message(&u.message, sender_name).map(TelegramUpdate::NewMessage),
        U::NewMessage(u) => migration(&u.message)
            .or_else(|| message(&u.message, sender_name).map(TelegramUpdate::NewMessage)),
        U::EditChannelMessage(u) => {
            message(&u.message, sender_name).map(TelegramUpdate::MessageEdited)
        }
        U::EditMessage(u) => message(&u.message, sender_name).map(TelegramUpdate::MessageEdited),
        U::DeleteChannelMessages(u) => Some(TelegramUpdate::MessagesDeleted {
            chat_id: PeerId::channel(u.channel_id).and_then(PeerId::bot_api_dialog_id),
            message_ids: u.messages.iter().copied().map(i64::from).collect(),
        }),
        U::DeleteMessages(u) => Some(TelegramUpdate::MessagesDeleted {
            chat_id: None,
            message_ids: u.messages.iter().copied().map(i64::from).collect(),
        }),
        _ => None,
    }
}

/// A basic group's "upgraded to supergroup" service message, as the update it means.
fn migration(raw: &tl::enums::Message) -> Option<TelegramUpdate> {
    let tl::enums::Message::Service(service) = raw else {
        return None;
    };
    let tl::enums::MessageAction::ChatMigrateTo(to) = &service.action else {
        return None;
    };
    Some(TelegramUpdate::GroupMigrated {
        from_chat_id: dialog_id(&service.peer_id)?,
        to_chat_id: PeerId::channel(to.channel_id)?.bot_api_dialog_id()?,
    })
}

/// The author (a user) of the message a raw update carries, if any.
#[must_use]
pub fn author_id(raw: &tl::enums::Update) -> Option<i64> {
    use tl::enums::Update as U;
    let message = match raw {
        U::NewChannelMessage(u) => &u.message,
        U::NewMessage(u) => &u.message,
        U::EditChannelMessage(u) => &u.message,
        U::EditMessage(u) => &u.message,
        _ => return None,
    };
    match message {
        tl::enums::Message::Message(tl::types::Message {
            from_id: Some(tl::enums::Peer::User(user)),
            ..
        }) => Some(user.user_id),
        _ => None,
    }
}

/// A user's id and display name (first and last name), if it has one.
#[must_use]
pub fn user_name(raw: &tl::enums::User) -> Option<(i64, String)> {
    let tl::enums::User::User(user) = raw else {
        return None;
    };
    let name = [user.first_name.as_deref(), user.last_name.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (!name.is_empty()).then_some((user.id, name))
}

/// A plain message (not a service message or an empty one).
fn message(raw: &tl::enums::Message, sender_name: Option<&str>) -> Option<TelegramMessage> {
    let tl::enums::Message::Message(m) = raw else {
        return None;
    };
    let chat_id = dialog_id(&m.peer_id)?;
    let sender_id = match &m.from_id {
        Some(tl::enums::Peer::User(u)) => u.user_id,
        Some(other) => dialog_id(other).unwrap_or_default(),
        None => 0,
    };
    let (topic_id, reply_to) = topic_and_reply(m.reply_to.as_ref());
    let sender_name = sender_name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map_or_else(
            || fallback_name(sender_id, m.post_author.as_deref()),
            str::to_owned,
        );
    Some(TelegramMessage {
        chat_id,
        topic_id,
        message_id: i64::from(m.id),
        sender_id,
        sender_name,
        text: m.message.clone(),
        media: m.media.as_ref().and_then(map_media),
        reply_to,
        outgoing: m.out,
    })
}

fn fallback_name(sender_id: i64, post_author: Option<&str>) -> String {
    match post_author {
        Some(author) if !author.trim().is_empty() => author.trim().to_owned(),
        _ if sender_id == 0 => "Telegram".to_owned(),
        _ => format!("Telegram user {sender_id}"),
    }
}

/// The Bot API dialog id of a peer.
fn dialog_id(peer: &tl::enums::Peer) -> Option<i64> {
    let id = match peer {
        tl::enums::Peer::User(u) => PeerId::user(u.user_id),
        tl::enums::Peer::Chat(c) => PeerId::chat(c.chat_id),
        tl::enums::Peer::Channel(c) => PeerId::channel(c.channel_id),
    }?;
    id.bot_api_dialog_id()
}

/// `(forum topic, message replied to)` from a reply header.
fn topic_and_reply(header: Option<&tl::enums::MessageReplyHeader>) -> (Option<i64>, Option<i64>) {
    let Some(tl::enums::MessageReplyHeader::Header(h)) = header else {
        return (None, None);
    };
    // A reply to a message of another chat has no counterpart here.
    let same_chat = h.reply_to_peer_id.is_none();
    let msg = h.reply_to_msg_id.map(i64::from).filter(|_| same_chat);
    if h.forum_topic {
        match h.reply_to_top_id {
            Some(top) => (Some(i64::from(top)), msg),
            None => (h.reply_to_msg_id.map(i64::from), None),
        }
    } else {
        (None, msg)
    }
}

/// The id of the message a `messages.sendMessage` with `random_id` created, from
/// Telegram's answer.
#[must_use]
pub fn sent_message_id(updates: &tl::enums::Updates, random_id: i64) -> Option<i64> {
    let listed = match updates {
        tl::enums::Updates::UpdateShortSentMessage(sent) => return Some(i64::from(sent.id)),
        tl::enums::Updates::Updates(u) => &u.updates,
        tl::enums::Updates::Combined(u) => &u.updates,
        _ => return None,
    };
    listed.iter().find_map(|update| match update {
        tl::enums::Update::MessageId(m) if m.random_id == random_id => Some(i64::from(m.id)),
        _ => None,
    })
}

/// The update position to save once the update with `state` is handled: only that
/// update's own sequence moves, so updates received after it but not yet handled are
/// fetched again after a restart. `None` for updates outside any sequence.
#[must_use]
pub fn handled_position(state: &State) -> Option<UpdateState> {
    Some(match state.message_box? {
        MessageBox::Common { pts } => UpdateState::Primary {
            pts,
            date: state.date,
            seq: state.seq,
        },
        MessageBox::Secondary { qts } => UpdateState::Secondary { qts },
        MessageBox::Channel { channel_id, pts } => UpdateState::Channel {
            id: channel_id,
            pts,
        },
    })
}

/// RPC errors saying the account itself is signed out or banned (Telegram answers them
/// with code 401, which is matched too; these names also when another code comes).
const UNAUTHORIZED: &[&str] = &[
    "AUTH_KEY_UNREGISTERED",
    "AUTH_KEY_INVALID",
    "SESSION_REVOKED",
    "SESSION_EXPIRED",
    "USER_DEACTIVATED",
    "USER_DEACTIVATED_BAN",
];

/// RPC errors saying the bot cannot reach one chat: removed, banned, restricted, or
/// the chat is gone for it.
const NO_ACCESS: &[&str] = &[
    "CHAT_WRITE_FORBIDDEN",
    "CHANNEL_PRIVATE",
    "USER_BANNED_IN_CHANNEL",
    "CHAT_ADMIN_REQUIRED",
    "CHANNEL_INVALID",
    "PEER_ID_INVALID",
    "USER_NOT_PARTICIPANT",
];

/// The port's error for a failed grammers call.
#[must_use]
pub fn map_error(err: &InvocationError) -> GatewayError {
    match err {
        InvocationError::Rpc(rpc) if rpc.name == "RANDOM_ID_DUPLICATE" => GatewayError::AlreadySent,
        InvocationError::Rpc(rpc) if rpc.code == 420 => GatewayError::FloodWait {
            seconds: rpc.value.unwrap_or(1),
        },
        InvocationError::Rpc(rpc) if rpc.code == 401 || UNAUTHORIZED.contains(&&*rpc.name) => {
            GatewayError::Unauthorized(rpc.name.clone())
        }
        InvocationError::Rpc(rpc) if NO_ACCESS.contains(&&*rpc.name) => {
            GatewayError::NoAccess(rpc.name.clone())
        }
        // A text over a limit is told apart: skipping it like other refusals would lose it.
        InvocationError::Rpc(rpc) if (400..500).contains(&rpc.code) => {
            TextLimit::from_rpc_error(&rpc.name).map_or_else(
                || GatewayError::Rejected(rpc.name.clone()),
                GatewayError::TooLong,
            )
        }
        other => GatewayError::Unavailable(other.to_string()),
    }
}

#[cfg(test)]
#[path = "mapping_tests.rs"]
mod tests;
