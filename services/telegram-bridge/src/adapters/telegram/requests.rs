//! The raw requests the gateway sends (grammers' types have no defaults: each is spelled
//! out once here) and what their answers say.

use chat_domain::chat::telegram_ids;
use grammers_client::tl;
use grammers_session::types::PeerRef;

use super::mapping::sent_message_id;
use crate::ports::{GatewayError, TelegramTarget};

/// The reply header of a post to `target` replying to `reply_to`: a message for topic
/// `T` replies to `T` (which files it into the topic), a reply inside the topic names
/// its parent and the topic.
pub(super) fn reply_header(
    target: TelegramTarget,
    reply_to: Option<i64>,
) -> Result<Option<tl::enums::InputReplyTo>, GatewayError> {
    // General (topic 1) takes messages without a topic header: nothing to reply to.
    let topic = target
        .topic_id
        .filter(|t| *t != telegram_ids::GENERAL_TOPIC);
    let reply = reply_to.or(topic).map(msg_id).transpose()?;
    let top_msg_id = topic
        .filter(|_| reply_to.is_some())
        .map(msg_id)
        .transpose()?;
    Ok(reply.map(|reply_to_msg_id| {
        tl::types::InputReplyToMessage {
            reply_to_msg_id,
            top_msg_id,
            reply_to_peer_id: None,
            quote_text: None,
            quote_entities: None,
            quote_offset: None,
            monoforum_peer_id: None,
            todo_item_id: None,
            poll_option: None,
        }
        .into()
    }))
}

/// `messages.sendMessage` for plain text with our `random_id`.
pub(super) fn send_request(
    peer: PeerRef,
    text: &str,
    reply_to: Option<tl::enums::InputReplyTo>,
    random_id: i64,
) -> tl::functions::messages::SendMessage {
    tl::functions::messages::SendMessage {
        no_webpage: true,
        silent: false,
        background: false,
        clear_draft: false,
        peer: peer.into(),
        reply_to,
        message: text.to_owned(),
        random_id,
        reply_markup: None,
        entities: None,
        schedule_date: None,
        schedule_repeat_period: None,
        send_as: None,
        noforwards: false,
        update_stickersets_order: false,
        invert_media: false,
        quick_reply_shortcut: None,
        effect: None,
        allow_paid_floodskip: false,
        allow_paid_stars: None,
        suggested_post: None,
        rich_message: None,
    }
}

/// `messages.sendMedia` of `media` with `caption` and our `random_id`.
pub(super) fn send_media_request(
    peer: PeerRef,
    media: tl::enums::InputMedia,
    caption: &str,
    reply_to: Option<tl::enums::InputReplyTo>,
    random_id: i64,
) -> tl::functions::messages::SendMedia {
    tl::functions::messages::SendMedia {
        silent: false,
        background: false,
        clear_draft: false,
        noforwards: false,
        update_stickersets_order: false,
        invert_media: false,
        allow_paid_floodskip: false,
        peer: peer.into(),
        reply_to,
        media,
        message: caption.to_owned(),
        random_id,
        reply_markup: None,
        entities: None,
        schedule_date: None,
        schedule_repeat_period: None,
        send_as: None,
        quick_reply_shortcut: None,
        effect: None,
        allow_paid_stars: None,
        suggested_post: None,
    }
}

/// The id of the message a send with `key` created, from Telegram's answer.
pub(super) fn created(updates: &tl::enums::Updates, key: i64) -> Result<i64, GatewayError> {
    sent_message_id(updates, key).ok_or_else(|| {
        GatewayError::Unavailable("Telegram did not say which message it created".into())
    })
}

/// Telegram's message id (32 bits) for `id`.
pub(super) fn msg_id(id: i64) -> Result<i32, GatewayError> {
    i32::try_from(id).map_err(|_| GatewayError::Rejected(format!("{id} is not a message id")))
}

/// The messages of a `channels.getMessages` answer.
pub(super) fn messages_of(answer: tl::enums::messages::Messages) -> Vec<tl::enums::Message> {
    match answer {
        tl::enums::messages::Messages::Messages(m) => m.messages,
        tl::enums::messages::Messages::Slice(m) => m.messages,
        tl::enums::messages::Messages::ChannelMessages(m) => m.messages,
        tl::enums::messages::Messages::NotModified(_) => Vec::new(),
    }
}
