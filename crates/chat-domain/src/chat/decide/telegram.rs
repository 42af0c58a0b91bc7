//! Telegram: link, unlink, receive a message from the linked supergroup.

use super::{Decide, Versions, active};
use crate::{
    actor::Actor,
    chat::{
        commands::{
            LinkTelegram, ReceiveTelegramMessage, ReportTelegramLinkChange, UnlinkTelegram,
        },
        errors::ChatError,
        events::{
            ChatEvent, TelegramChatLinked, TelegramChatUnlinked, TelegramLinkChange,
            TelegramLinkChanged, TelegramMessageReceived,
        },
        facts::{FactsQuery, MessageFacts},
        rules::media,
        state::{ChatData, ChatState},
        telegram_ids,
        types::{MessageSource, TelegramLink},
    },
    text::{self, TextKind},
};

/// Links the chat to a supergroup or one of its forum topics (admins). A linked chat
/// must be unlinked first; only a supergroup's id links (not a basic group's or a
/// user's), and a topic is a positive message id. That a supergroup is linked to one chat only is a
/// cross-chat rule the write path enforces (a unique key), not this aggregate.
impl Decide for LinkTelegram {
    fn facts_query(&self, _state: &ChatState) -> FactsQuery {
        FactsQuery::default()
    }

    fn decide(self, state: &ChatState, _facts: &MessageFacts) -> Result<Vec<ChatEvent>, ChatError> {
        let (data, c) = (active(state)?, &self);
        let admin = data.require_admin(&c.actor)?;
        if data.telegram.is_some() {
            return Err(ChatError::TelegramAlreadyLinked);
        }
        if !telegram_ids::is_supergroup_dialog_id(c.telegram_chat_id) {
            return Err(ChatError::TelegramChatNotSupergroup);
        }
        if c.telegram_topic_id
            .is_some_and(|t| !telegram_ids::is_topic_id(t))
        {
            return Err(ChatError::TelegramTopicInvalid);
        }
        Ok(vec![ChatEvent::TelegramChatLinked(TelegramChatLinked {
            chat_id: data.id,
            version: Versions::after(data.version).next(),
            telegram_chat_id: c.telegram_chat_id,
            telegram_topic_id: c.telegram_topic_id,
            linked_by: admin,
            linked_at: c.at,
        })])
    }
}

/// Unlinks the chat (admins).
impl Decide for UnlinkTelegram {
    fn facts_query(&self, _state: &ChatState) -> FactsQuery {
        FactsQuery::default()
    }

    fn decide(self, state: &ChatState, _facts: &MessageFacts) -> Result<Vec<ChatEvent>, ChatError> {
        let (data, c) = (active(state)?, &self);
        let admin = data.require_admin(&c.actor)?;
        let link = data.telegram.ok_or(ChatError::TelegramNotLinked)?;
        Ok(vec![ChatEvent::TelegramChatUnlinked(
            TelegramChatUnlinked {
                chat_id: data.id,
                version: Versions::after(data.version).next(),
                telegram_chat_id: link.telegram_chat_id,
                telegram_topic_id: link.telegram_topic_id,
                unlinked_by: admin,
                unlinked_at: c.at,
            },
        )])
    }
}

/// Whether a message from `(chat, topic)` belongs to `link`: same supergroup, and the
/// same topic when the link names one (a link without topic mirrors the whole group; a
/// message without a topic header is in General).
const fn matches_link(link: TelegramLink, chat: i64, topic: Option<i64>) -> bool {
    if link.telegram_chat_id != chat {
        return false;
    }
    match link.telegram_topic_id {
        None => true,
        Some(linked) => telegram_ids::in_topic(linked, topic),
    }
}

/// The chat's link, for a command only the bridge (a service identity) may give.
const fn bridge_link(data: &ChatData, actor: &Actor) -> Result<TelegramLink, ChatError> {
    if let Actor::User { .. } = actor {
        return Err(ChatError::ServiceActorRequired);
    }
    match data.telegram {
        Some(link) => Ok(link),
        None => Err(ChatError::TelegramNotLinked),
    }
}

/// Posts a Telegram message (service identity only, linked chat only). The Telegram
/// author need not be a participant. A repeated (supergroup, message id) is rejected,
/// so a bridge that restarts and replays updates creates no duplicates.
impl Decide for ReceiveTelegramMessage {
    fn facts_query(&self, _state: &ChatState) -> FactsQuery {
        FactsQuery {
            telegram_message: Some((self.telegram_chat_id, self.telegram_message_id)),
            ..FactsQuery::of_messages([Some(self.message_id), self.reply_to].into_iter().flatten())
        }
    }

    fn decide(self, state: &ChatState, facts: &MessageFacts) -> Result<Vec<ChatEvent>, ChatError> {
        let (data, c) = (active(state)?, self);
        let link = bridge_link(data, &c.actor)?;
        if !matches_link(link, c.telegram_chat_id, c.telegram_topic_id) {
            return Err(ChatError::TelegramChatMismatch);
        }
        if facts.telegram_message_received {
            return Err(ChatError::TelegramMessageAlreadyReceived);
        }
        facts.require_new_message_id(c.message_id)?;
        let (message_type, attachment) = media::accept(data.id, c.media)?;
        media::validate_caption(&c.content, attachment.is_some())?;
        text::check("sender_name", TextKind::SingleLine, &c.sender_name)?;
        facts.require_reply_target(c.reply_to)?;
        Ok(vec![ChatEvent::TelegramMessageReceived(
            TelegramMessageReceived {
                chat_id: data.id,
                version: Versions::after(data.version).next(),
                message_id: c.message_id,
                telegram_chat_id: c.telegram_chat_id,
                telegram_topic_id: c.telegram_topic_id,
                telegram_message_id: c.telegram_message_id,
                telegram_user_id: c.telegram_user_id,
                sender_name: c.sender_name,
                content: c.content,
                message_type,
                attachment,
                reply_to: c.reply_to,
                source: MessageSource::Telegram,
                created_at: c.at,
            },
        )])
    }
}

/// Records what the bridge found of the link (service identity only, linked chat only,
/// the group the link names). A move must name a supergroup; a reason is one line.
impl Decide for ReportTelegramLinkChange {
    fn facts_query(&self, _state: &ChatState) -> FactsQuery {
        FactsQuery::of_messages([self.notice_id])
    }

    fn decide(self, state: &ChatState, facts: &MessageFacts) -> Result<Vec<ChatEvent>, ChatError> {
        let (data, c) = (active(state)?, self);
        let link = bridge_link(data, &c.actor)?;
        if link.telegram_chat_id != c.telegram_chat_id {
            return Err(ChatError::TelegramChatMismatch);
        }
        match &c.change {
            TelegramLinkChange::Broken { reason } => {
                text::check("reason", TextKind::SingleLine, reason)?;
            }
            TelegramLinkChange::Restored => {}
            TelegramLinkChange::Moved {
                to_telegram_chat_id,
            } => {
                if !telegram_ids::is_supergroup_dialog_id(*to_telegram_chat_id) {
                    return Err(ChatError::TelegramChatNotSupergroup);
                }
            }
        }
        facts.require_new_message_id(c.notice_id)?;
        Ok(vec![ChatEvent::TelegramLinkChanged(TelegramLinkChanged {
            chat_id: data.id,
            version: Versions::after(data.version).next(),
            telegram_chat_id: link.telegram_chat_id,
            telegram_topic_id: link.telegram_topic_id,
            change: c.change,
            notice_id: c.notice_id,
            changed_at: c.at,
        })])
    }
}
