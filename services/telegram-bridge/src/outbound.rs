//! Chat -> Telegram: the `chat.events` handler.
//!
//! Link events are remembered in the bridge's table; messages sent, edited and deleted
//! in a linked chat are mirrored to its supergroup as "Name: text", a text too long for
//! one Telegram message as several, in order, each with the name ([`crate::posts`]). A
//! media message is posted as its file (read from the media store) with "Name: caption"
//! ([`crate::attachments`] says as what: photo, voice note or document); a caption over
//! Telegram's caption limit goes on in text posts after it. The
//! consumer stores a record's offset only after this handler returned, i.e. after
//! Telegram accepted.
//!
//! Exactly once on the Telegram side: each part's mapping is written right after
//! Telegram accepted it and checked before sending, so a restart in the middle of a
//! message posts only the parts still missing; each part's send carries its own key; and
//! edits and deletes carry the chat version they were mirrored at, so a redelivered event
//! changes nothing.
//!
//! Nothing is skipped unseen. While Telegram refuses the bridge's account
//! (`Unauthorized`) the event is retried, uncommitted, with the consumer's backoff (and
//! the bridge is not ready, see [`crate::authorization`]). A group the bot cannot reach
//! (`NoAccess`: kicked, banned, not allowed to write) gets its links marked broken, and
//! each event that could not be mirrored there is counted and dead-lettered, so it can
//! be found and replayed; the next successful call there marks the links healthy again.
//! No echo:
//! `TelegramMessageReceived` (a message that came from Telegram) is only recorded in the
//! mapping, and edits and deletes made by a service identity (the bridge itself) are
//! skipped.

use std::borrow::Cow;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use chat_domain::chat::events::{MessageSent, TelegramLinkChange};
use chat_domain::{Attachment, ChatEvent, ChatId, Envelope, MessageId};
use chat_kafka::{EventHandler, HandlerError, ReceivedEvent};
use chat_media::{MediaError, MediaStore};

use crate::access::AccessWatch;
use crate::adapters::pg::{BridgeStore, Origin, StoreError};
use crate::attachments::{placeholder_of, telegram_kind, with_placeholder};
use crate::flood::obeying_flood_waits;
use crate::link_health::LinkHealth;
use crate::media::OutgoingFile;
use crate::metrics::{SPLIT_MESSAGES, SPLIT_PARTS, UNMIRRORED, count_media};
use crate::ports::{GatewayError, TelegramGateway, TelegramTarget};
use crate::posts::{Layout, posts, send_key};

mod changes;

/// How often recording a mapping is retried in place before the event is retried as a
/// whole (which would send it to Telegram again).
const RECORD_ATTEMPTS: u32 = 20;

/// The `chat.events` handler that mirrors linked chats to Telegram.
#[derive(Debug)]
pub struct Outbound<G> {
    gateway: Arc<G>,
    store: BridgeStore,
    media: Option<Arc<dyn MediaStore>>,
    links: LinkHealth,
    access: AccessWatch<G>,
}

impl<G: TelegramGateway> Outbound<G> {
    /// A handler sending through `gateway`, remembering in `store`, reading media
    /// messages' files from `media` (none: a placeholder says what the file was),
    /// marking the links the bot cannot serve in `links` and checking each new link's
    /// group with `access`.
    pub fn new(
        gateway: Arc<G>,
        store: BridgeStore,
        media: Option<Arc<dyn MediaStore>>,
        links: LinkHealth,
        access: AccessWatch<G>,
    ) -> Self {
        Self {
            gateway,
            store,
            media,
            links,
            access,
        }
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
                self.set_link(e.chat_id, target, true, e.version).await
            }
            ChatEvent::TelegramChatUnlinked(e) => {
                let target = target(e.telegram_chat_id, e.telegram_topic_id);
                self.set_link(e.chat_id, target, false, e.version).await
            }
            // Telegram upgraded the linked basic group: the link follows.
            ChatEvent::TelegramLinkChanged(e) => match &e.change {
                TelegramLinkChange::Moved {
                    to_telegram_chat_id,
                } => {
                    let target = target(*to_telegram_chat_id, e.telegram_topic_id);
                    self.set_link(e.chat_id, target, true, e.version).await
                }
                TelegramLinkChange::Broken { .. } | TelegramLinkChange::Restored => Ok(()),
            },
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

    /// Records a link event; it clears a broken mark, so the gauge is counted again. A
    /// new link's group is checked at once (what it finds is recorded; a failing check
    /// does not hold the event up: the periodic one follows).
    async fn set_link(
        &self,
        chat_id: ChatId,
        target: TelegramTarget,
        linked: bool,
        version: u64,
    ) -> Result<(), StoreError> {
        self.store
            .set_link(chat_id, target, linked, version)
            .await?;
        self.links.recount().await?;
        if linked && let Err(e) = self.access.check(target.chat_id).await {
            tracing::warn!(telegram_chat_id = target.chat_id, error.message = %e, "cannot check the bot's access to a newly linked group");
        }
        Ok(())
    }

    /// What Telegram's answer for supergroup `group` means for the event: `Some` on
    /// success (its links are healthy), `None` for a refusal that is logged and passed
    /// (nothing Telegram will ever accept: message gone), an error for what must not
    /// be passed silently. A text over Telegram's limit: the splitter keeps every post
    /// within it, so Telegram counting otherwise is a fault to see, and the event goes
    /// to the dead-letter topic. No access to the group: its links are marked broken and
    /// the event is dead-lettered (every event there meets the same answer until the bot
    /// is let back in). Anything else (unauthorized, unavailable) is retried.
    async fn answered<T>(
        &self,
        group: i64,
        answer: Result<T, GatewayError>,
    ) -> Result<Option<T>, HandlerError> {
        match answer {
            Ok(value) => {
                self.links.healthy(group).await.map_err(transient)?;
                Ok(Some(value))
            }
            Err(GatewayError::Rejected(reason)) => {
                tracing::warn!(%reason, "Telegram refused to mirror an event; skipping it");
                Ok(None)
            }
            Err(err @ GatewayError::TooLong(_)) => {
                tracing::error!(error.message = %err, "Telegram refused a part as too long");
                Err(HandlerError::Permanent(err.into()))
            }
            Err(GatewayError::NoAccess(reason)) => {
                self.links.broken(group, &reason).await.map_err(transient)?;
                UNMIRRORED.with_label_values(&[&reason]).inc();
                tracing::error!(
                    telegram_chat_id = group,
                    %reason,
                    "the bot has no access to the linked group; event dead-lettered"
                );
                Err(HandlerError::Permanent(
                    GatewayError::NoAccess(reason).into(),
                ))
            }
            Err(other) => Err(HandlerError::Transient(other.into())),
        }
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
        let (content, file) = match (&e.attachment, &self.media) {
            (Some(attachment), Some(media)) => (Cow::from(&e.content), Some((attachment, media))),
            (Some(attachment), None) => {
                let placeholder = placeholder_of(e.message_type, attachment);
                (with_placeholder(&placeholder, &e.content).into(), None)
            }
            (None, _) => (Cow::from(&e.content), None),
        };
        let layout = match file {
            Some(_) => Layout::Caption,
            None => Layout::Text,
        };
        let posts = posts(e.sender_name.as_deref(), e.sender_id, &content, layout);
        let done = self
            .store
            .parts(e.chat_id, e.message_id)
            .await
            .map_err(transient)?;
        if done.is_empty() {
            count_split("send", posts.len());
        }
        for (index, text) in (0..).zip(&posts) {
            // Posted before a restart or a retry: each part is recorded once accepted.
            if done.iter().any(|p| p.index == index) {
                continue;
            }
            let reply_to = match (index, e.reply_to) {
                (0, Some(parent)) => self.copy_of(e.chat_id, parent, link.target).await?,
                _ => None,
            };
            let key = send_key(e.message_id, index, e.version);
            let posted = match (index, file) {
                (0, Some((attachment, media))) => {
                    let Some(bytes) = file_of(media.as_ref(), attachment).await? else {
                        return Ok(());
                    };
                    let file = OutgoingFile {
                        kind: telegram_kind(e.message_type, attachment),
                        name: &attachment.name,
                        mime_type: &attachment.mime_type,
                        duration_secs: attachment.duration_secs,
                        bytes: &bytes,
                    };
                    self.post(
                        link.target,
                        Post::File {
                            file,
                            caption: text,
                        },
                        reply_to,
                        key,
                    )
                    .await?
                }
                _ => {
                    self.post(link.target, Post::Text(text), reply_to, key)
                        .await?
                }
            };
            let telegram_id = match posted {
                Posted::At(id) => id,
                Posted::IdUnknown => continue,
                Posted::Refused => return Ok(()),
            };
            if index == 0 && e.attachment.is_some() {
                count_media("outbound", file.is_some());
            }
            recorded(|| async {
                if index == 0 {
                    let (chat, id, v) = (e.chat_id, e.message_id, e.version);
                    self.store
                        .record(chat, id, link.target, telegram_id, Origin::Chat, v)
                        .await
                } else {
                    let group = link.target.chat_id;
                    self.store
                        .record_part(e.chat_id, e.message_id, index, group, telegram_id)
                        .await
                }
            })
            .await?;
        }
        Ok(())
    }

    /// The Telegram id of the live copy of chat message `message_id` in `target`'s
    /// group (what a reply to it replies to), if any.
    async fn copy_of(
        &self,
        chat_id: ChatId,
        message_id: MessageId,
        target: TelegramTarget,
    ) -> Result<Option<i64>, HandlerError> {
        let copy = self
            .store
            .by_chat_message(chat_id, message_id)
            .await
            .map_err(transient)?;
        Ok(copy
            .filter(|m| !m.deleted && m.telegram_chat_id == target.chat_id)
            .map(|m| m.telegram_message_id))
    }

    /// Posts one Telegram message, obeying flood waits; a reply whose parent Telegram
    /// refuses is posted without the reply.
    async fn post(
        &self,
        target: TelegramTarget,
        post: Post<'_>,
        reply_to: Option<i64>,
        key: i64,
    ) -> Result<Posted, HandlerError> {
        let send = |reply_to| {
            obeying_flood_waits("send", move || async move {
                match post {
                    Post::Text(text) => {
                        self.gateway.send_message(target, text, reply_to, key).await
                    }
                    Post::File { file, caption } => {
                        self.gateway
                            .send_file(target, file, caption, reply_to, key)
                            .await
                    }
                }
            })
        };
        let mut sent = send(reply_to).await;
        if reply_to.is_some() && matches!(sent, Err(GatewayError::Rejected(_))) {
            // The parent's copy is gone from Telegram: post without the reply rather than
            // not at all.
            sent = send(None).await;
        }
        if matches!(sent, Err(GatewayError::AlreadySent)) {
            return self.lost_answer(target, post.text(), key).await;
        }
        Ok(match self.answered(target.chat_id, sent).await? {
            Some(id) => Posted::At(id),
            None => Posted::Refused,
        })
    }

    /// A send posted by an earlier attempt whose answer was lost: its copy is looked for
    /// among the bot's messages with the same text near the group's newest known message
    /// (the newest one not mapped yet), so its edits and deletes can follow. Not found,
    /// it stays in Telegram once with its id unknown.
    async fn lost_answer(
        &self,
        target: TelegramTarget,
        text: &str,
        key: i64,
    ) -> Result<Posted, HandlerError> {
        let around = self
            .store
            .newest_telegram_message(target.chat_id)
            .await
            .map_err(transient)?;
        let candidates = match self.gateway.find_own_messages(target, text, around).await {
            Ok(candidates) => candidates,
            Err(e) => {
                tracing::warn!(key, error.message = %e, "cannot look for a send whose answer was lost");
                Vec::new()
            }
        };
        for id in candidates {
            let mapped = self
                .store
                .by_telegram_message(target.chat_id, id)
                .await
                .map_err(transient)?;
            if mapped.is_none() {
                tracing::info!(
                    key,
                    telegram_message_id = id,
                    "found the copy of a send whose answer was lost"
                );
                return Ok(Posted::At(id));
            }
        }
        tracing::warn!(key, "already sent to Telegram; its id is unknown");
        Ok(Posted::IdUnknown)
    }
}

/// What one post to Telegram carries.
#[derive(Clone, Copy)]
enum Post<'a> {
    /// A text message.
    Text(&'a str),
    /// A file with its caption.
    File {
        file: OutgoingFile<'a>,
        caption: &'a str,
    },
}

impl Post<'_> {
    /// Its text: what the copy of a post whose answer was lost is found by.
    const fn text(&self) -> &str {
        match self {
            Self::Text(text) | Self::File { caption: text, .. } => text,
        }
    }
}

/// How a send to Telegram ended, when it did not fail.
enum Posted {
    /// Posted as this Telegram message.
    At(i64),
    /// Posted earlier (by an attempt whose answer was lost).
    IdUnknown,
    /// Refused for good (logged): the event is skipped.
    Refused,
}

/// The bytes of a media message's file, `None` when it is gone: an object is removed
/// only once its message is deleted, so there is nothing left to mirror. A store that
/// is away is waited out (the event is retried); a store refusing will not change by
/// retrying: the event goes to the dead-letter topic, to be seen.
async fn file_of(
    media: &dyn MediaStore,
    attachment: &Attachment,
) -> Result<Option<Bytes>, HandlerError> {
    match media.get(&attachment.key).await {
        Ok(bytes) => Ok(Some(bytes)),
        Err(MediaError::NotFound { key }) => {
            tracing::warn!(%key, "a media message's file is gone (the message was deleted); not mirrored");
            Ok(None)
        }
        Err(err) if err.is_unavailable() => Err(HandlerError::Transient(err.into())),
        Err(err) => {
            tracing::error!(key = %attachment.key, error.message = %err, "cannot read a media message's file");
            Err(HandlerError::Permanent(err.into()))
        }
    }
}

/// Records a mapping, retrying in place a few times before the event is retried as a
/// whole (which would send to Telegram again).
async fn recorded<F, Fut>(mut record: F) -> Result<(), HandlerError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), StoreError>>,
{
    let mut attempt = 0;
    loop {
        match record().await {
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

fn count_split(operation: &str, parts: usize) {
    if parts > 1 {
        SPLIT_MESSAGES.with_label_values(&[operation]).inc();
        SPLIT_PARTS
            .with_label_values(&[operation])
            .inc_by(u64::try_from(parts).unwrap_or(u64::MAX));
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

fn transient(err: StoreError) -> HandlerError {
    HandlerError::Transient(err.into())
}
