//! Chat -> Telegram: the `chat.events` handler.
//!
//! Link events are remembered in the bridge's table; messages sent, edited and deleted
//! in a linked chat are mirrored to its supergroup as "Name: text". The consumer stores
//! a record's offset only after this handler returned, i.e. after Telegram accepted.
//!
//! Exactly once on the Telegram side: the mapping is written right after Telegram
//! accepted a send and checked before sending, and edits and deletes carry the chat
//! version they were mirrored at, so a redelivered event changes nothing. No echo:
//! `TelegramMessageReceived` (a message that came from Telegram) is only recorded in the
//! mapping, and edits and deletes made by a service identity (the bridge itself) are
//! skipped.

use std::sync::Arc;
use std::time::Duration;

use chat_domain::chat::events::{MessageDeleted, MessageEdited, MessageSent};
use chat_domain::{ChatEvent, ChatId, Envelope, MessageId, UserId};
use chat_kafka::{EventHandler, HandlerError, ReceivedEvent};

use crate::adapters::pg::{BridgeStore, MappedMessage, Origin, StoreError};
use crate::flood::obeying_flood_waits;
use crate::ports::{GatewayError, TelegramGateway, TelegramTarget};

/// How often recording a mapping is retried in place before the event is retried as a
/// whole (which would send it to Telegram again).
const RECORD_ATTEMPTS: u32 = 20;

/// The `chat.events` handler that mirrors linked chats to Telegram.
#[derive(Debug)]
pub struct Outbound<G> {
    gateway: Arc<G>,
    store: BridgeStore,
}

impl<G: TelegramGateway> Outbound<G> {
    /// A handler sending through `gateway`, remembering in `store`.
    pub const fn new(gateway: Arc<G>, store: BridgeStore) -> Self {
        Self { gateway, store }
    }

    /// Applies one event.
    ///
    /// # Errors
    /// [`HandlerError::Transient`] when the store or Telegram is unavailable (the same
    /// event is tried again).
    #[tracing::instrument(skip_all, fields(chat_id = %envelope.chat_id, version = envelope.version, event = %envelope.event_type))]
    pub async fn apply(&self, envelope: &Envelope) -> Result<(), HandlerError> {
        let result = match &envelope.payload {
            ChatEvent::TelegramChatLinked(e) => {
                let target = target(e.telegram_chat_id, e.telegram_topic_id);
                self.store
                    .set_link(e.chat_id, target, true, e.version)
                    .await
            }
            ChatEvent::TelegramChatUnlinked(e) => {
                let target = target(e.telegram_chat_id, e.telegram_topic_id);
                self.store
                    .set_link(e.chat_id, target, false, e.version)
                    .await
            }
            ChatEvent::TelegramMessageReceived(e) => {
                let target = target(e.telegram_chat_id, e.telegram_topic_id);
                let (chat, id, tg_id) = (e.chat_id, e.message_id, e.telegram_message_id);
                self.store
                    .record(chat, id, target, tg_id, Origin::Telegram, e.version)
                    .await
            }
            ChatEvent::MessageSent(e) => return self.sent(e).await,
            ChatEvent::MessageEdited(e) if !e.edited_by.is_service() => {
                return self.edited(e).await;
            }
            ChatEvent::MessageDeleted(e) if !e.deleted_by.is_service() => {
                return self.deleted(e).await;
            }
            _ => Ok(()),
        };
        result.map_err(transient)
    }

    async fn sent(&self, e: &MessageSent) -> Result<(), HandlerError> {
        let Some(link) = self
            .store
            .link_of_chat(e.chat_id)
            .await
            .map_err(transient)?
        else {
            return Ok(());
        };
        if self
            .store
            .by_chat_message(e.chat_id, e.message_id)
            .await
            .map_err(transient)?
            .is_some()
        {
            return Ok(());
        }
        let reply_to = match e.reply_to {
            Some(parent) => self
                .store
                .by_chat_message(e.chat_id, parent)
                .await
                .map_err(transient)?
                .filter(|m| !m.deleted && m.telegram_chat_id == link.target.chat_id)
                .map(|m| m.telegram_message_id),
            None => None,
        };
        let text = line(e.sender_name.as_deref(), e.sender_id, &e.content);
        let key = send_key(e.message_id);
        let text = text.as_str();
        let send = |reply_to| {
            obeying_flood_waits("send", move || {
                self.gateway.send_message(link.target, text, reply_to, key)
            })
        };
        let mut sent = send(reply_to).await;
        if reply_to.is_some() && matches!(sent, Err(GatewayError::Rejected(_))) {
            // The parent's copy is gone from Telegram: post without the reply rather than
            // not at all.
            sent = send(None).await;
        }
        let telegram_id = match sent {
            Ok(id) => id,
            Err(GatewayError::AlreadySent) => {
                // Posted by an earlier attempt whose answer was lost: it is in Telegram
                // once, but its id is unknown, so its edits and deletes cannot follow.
                tracing::warn!(message_id = %e.message_id, "already sent to Telegram; its id is unknown");
                return Ok(());
            }
            Err(e) => return refused_or_transient(e),
        };
        let mut attempt = 0;
        loop {
            let recorded = self
                .store
                .record(
                    e.chat_id,
                    e.message_id,
                    link.target,
                    telegram_id,
                    Origin::Chat,
                    e.version,
                )
                .await;
            match recorded {
                Ok(()) => return Ok(()),
                Err(err) if attempt + 1 >= RECORD_ATTEMPTS => return Err(transient(err)),
                Err(err) => {
                    tracing::warn!(error.message = %err, "cannot record the mapping yet; retrying");
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
            }
        }
    }

    /// The Telegram copy a change of message `message_id` at chat `version` applies to:
    /// `None` when the chat is not linked, the message was never mirrored, its copy is
    /// deleted, or the change (or a newer one) was already mirrored.
    async fn copy_to_change(
        &self,
        chat_id: ChatId,
        message_id: MessageId,
        version: u64,
    ) -> Result<Option<MappedMessage>, HandlerError> {
        if self
            .store
            .link_of_chat(chat_id)
            .await
            .map_err(transient)?
            .is_none()
        {
            return Ok(None);
        }
        let copy = self
            .store
            .by_chat_message(chat_id, message_id)
            .await
            .map_err(transient)?;
        Ok(copy.filter(|m| !m.deleted && m.last_version < version))
    }

    async fn edited(&self, e: &MessageEdited) -> Result<(), HandlerError> {
        let Some(m) = self
            .copy_to_change(e.chat_id, e.message_id, e.version)
            .await?
        else {
            return Ok(());
        };
        // Telegram's copy of a Telegram message is the original: nothing to mirror.
        if m.origin == Origin::Telegram {
            return Ok(());
        }
        let author = e
            .edited_by
            .user_id()
            .unwrap_or_else(|| UserId::from_uuid(uuid::Uuid::nil()));
        let text = line(e.edited_by.user_name(), author, &e.content);
        let edited = obeying_flood_waits("edit", || {
            self.gateway
                .edit_message(m.telegram_chat_id, m.telegram_message_id, &text)
        })
        .await;
        if let Err(err) = edited {
            refused_or_transient(err)?;
        }
        self.store
            .advance(e.chat_id, e.message_id, e.version, false)
            .await
            .map_err(transient)
    }

    async fn deleted(&self, e: &MessageDeleted) -> Result<(), HandlerError> {
        let Some(m) = self
            .copy_to_change(e.chat_id, e.message_id, e.version)
            .await?
        else {
            return Ok(());
        };
        let deleted = obeying_flood_waits("delete", || {
            self.gateway
                .delete_message(m.telegram_chat_id, m.telegram_message_id)
        })
        .await;
        if let Err(err) = deleted {
            refused_or_transient(err)?;
        }
        self.store
            .advance(e.chat_id, e.message_id, e.version, true)
            .await
            .map_err(transient)
    }
}

impl<G: TelegramGateway> EventHandler for Outbound<G> {
    async fn handle(&self, event: &ReceivedEvent) -> Result<(), HandlerError> {
        self.apply(&event.envelope).await
    }
}

const fn target(chat_id: i64, topic_id: Option<i64>) -> TelegramTarget {
    TelegramTarget { chat_id, topic_id }
}

/// The key of a chat message's send to Telegram (its `random_id`): the same for every
/// attempt, so Telegram posts it once however often the event is retried.
#[must_use]
pub fn send_key(message_id: MessageId) -> i64 {
    let (high, low) = message_id.as_uuid().as_u64_pair();
    i64::from_ne_bytes((high ^ low).to_ne_bytes())
}

/// How a chat message reads in Telegram: `"Alice: hello"`.
#[must_use]
pub fn line(sender_name: Option<&str>, sender_id: UserId, content: &str) -> String {
    match sender_name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => format!("{name}: {content}"),
        None => {
            let short: String = sender_id.to_string().chars().take(8).collect();
            format!("user {short}: {content}")
        }
    }
}

/// A refusal means there is nothing Telegram will ever accept for this event (no rights,
/// message gone): logged and passed. Anything else is retried.
fn refused_or_transient(err: GatewayError) -> Result<(), HandlerError> {
    match err {
        GatewayError::Rejected(reason) => {
            tracing::warn!(%reason, "Telegram refused to mirror an event; skipping it");
            Ok(())
        }
        other => Err(HandlerError::Transient(other.into())),
    }
}

fn transient(err: StoreError) -> HandlerError {
    HandlerError::Transient(err.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_shows_the_sender_name() {
        let id = UserId::from_uuid(uuid::Uuid::nil());
        assert_eq!(line(Some("Alice"), id, "hello"), "Alice: hello");
        assert_eq!(line(Some("  "), id, "hi"), "user 00000000: hi");
        assert_eq!(line(None, id, "hi"), "user 00000000: hi");
    }
}
