//! What the Telegram events write: the link, messages received from the linked group,
//! and the notices of what became of the link.

use chat_domain::chat::events::{
    TelegramChatLinked, TelegramChatUnlinked, TelegramLinkChange, TelegramLinkChanged,
    TelegramMessageReceived,
};

use super::{
    MessageWrite, NewMessage, NotATimeUuid, Plan, Planned, Projector, RowWrite, TextWrite, bucket,
    last_message, message_type,
};
use crate::person::Person;

impl Planned for TelegramChatLinked {
    fn plan(&self, projector: Projector, plan: &mut Plan) -> Result<(), NotATimeUuid> {
        match projector {
            Projector::Sync => {}
            Projector::Async => plan.rows.push(RowWrite::SetTelegramLink {
                telegram_chat_id: self.telegram_chat_id,
                telegram_topic_id: self.telegram_topic_id,
                linked: true,
                linked_by: Some((self.linked_by, self.linked_at)),
            }),
        }
        Ok(())
    }
}

impl Planned for TelegramChatUnlinked {
    fn plan(&self, projector: Projector, plan: &mut Plan) -> Result<(), NotATimeUuid> {
        match projector {
            Projector::Sync => {}
            Projector::Async => plan.rows.push(RowWrite::SetTelegramLink {
                telegram_chat_id: self.telegram_chat_id,
                telegram_topic_id: self.telegram_topic_id,
                linked: false,
                linked_by: None,
            }),
        }
        Ok(())
    }
}

impl Planned for TelegramMessageReceived {
    fn plan(&self, projector: Projector, plan: &mut Plan) -> Result<(), NotATimeUuid> {
        let message = received(self)?;
        match projector {
            Projector::Sync => {
                plan.rows.push(last_message(&message));
                plan.messages.push(MessageWrite::Insert(message));
            }
            // Its effect on the unread ledger, the search, and its author's name.
            Projector::Async => {
                plan.rows.push(RowWrite::MessageArrived {
                    position: self.version,
                    sender: None,
                });
                plan.rows.push(RowWrite::Text(TextWrite::Index(message)));
                plan.rows.push(RowWrite::Named {
                    person: Person::Telegram(self.telegram_user_id),
                    name: self.sender_name.clone(),
                    at: self.created_at,
                });
            }
        }
        Ok(())
    }
}

// A notice: in the history, unread and the chat's last message like a message (its
// bucket must be in the chat's range for history to find it), not searched.
impl Planned for TelegramLinkChanged {
    fn plan(&self, projector: Projector, plan: &mut Plan) -> Result<(), NotATimeUuid> {
        match projector {
            Projector::Sync => {}
            Projector::Async => {
                if let TelegramLinkChange::Moved {
                    to_telegram_chat_id,
                } = &self.change
                {
                    plan.rows.push(RowWrite::SetTelegramLink {
                        telegram_chat_id: *to_telegram_chat_id,
                        telegram_topic_id: self.telegram_topic_id,
                        linked: true,
                        linked_by: None,
                    });
                }
                plan.rows.push(RowWrite::MessageArrived {
                    position: self.version,
                    sender: None,
                });
                let notice = notice(self)?;
                plan.rows.push(last_message(&notice));
                plan.messages.push(MessageWrite::Insert(notice));
            }
        }
        Ok(())
    }
}

/// A message from Telegram as first stored.
fn received(e: &TelegramMessageReceived) -> Result<NewMessage, NotATimeUuid> {
    Ok(NewMessage {
        message_id: e.message_id,
        bucket: bucket(e.message_id)?,
        sender_id: None,
        sender_name: Some(e.sender_name.clone()),
        content: e.content.clone(),
        message_type: message_type(e.message_type),
        attachment: e.attachment.clone().map(Box::new),
        reply_to: e.reply_to,
        source: e.source,
        telegram_message_id: Some(e.telegram_message_id),
        telegram_user_id: Some(e.telegram_user_id),
        created_at: e.created_at,
    })
}

/// A link change's notice as first stored.
fn notice(e: &TelegramLinkChanged) -> Result<NewMessage, NotATimeUuid> {
    Ok(NewMessage {
        message_id: e.notice_id,
        bucket: bucket(e.notice_id)?,
        sender_id: None,
        sender_name: None,
        content: e.change.notice(),
        message_type: message_type(chat_domain::MessageType::Text),
        attachment: None,
        reply_to: None,
        source: chat_domain::MessageSource::System,
        telegram_message_id: None,
        telegram_user_id: None,
        created_at: e.changed_at,
    })
}
