//! Telegram -> chat: updates of linked supergroups become commands on command-api.
//!
//! An update is confirmed to the gateway only once it is handled, so a restart replays
//! what was in flight. Replays create nothing twice: a Telegram message already posted is
//! refused by the aggregate (`telegram_message_already_received`) and counts as done;
//! the mapping is recorded on success (and again from the `TelegramMessageReceived`
//! event by the outbound side, which heals a crash between the two). No echo: the
//! bridge's own sends (`outgoing`) and anything already in the mapping are ignored; an own
//! send is only waited on until its mapping is recorded, so a reply to it that follows
//! at once still finds its parent.
//!
//! Media: a Telegram file the chat's rules accept ([`crate::attachments`]) is downloaded
//! and stored in the media store under the chat's prefix, at a key made of the Telegram
//! message (so a replay writes the same object again, nothing new), and the message
//! carries it; what the chat cannot keep (stickers, polls, locations, contacts, files
//! over its limits or of a refused type, a download Telegram refuses) arrives as a text
//! placeholder saying what it was. A file command-api refuses is removed again and the
//! message posted as such a placeholder.
//!
//! Refusals do not stall: what command-api refuses for good (a 4xx other than a lost
//! race, an expired token or rate limiting) is logged with its ids, counted in
//! `telegram_inbound_refused_total` and confirmed, so the next update (of any chat)
//! follows; only an unavailable command-api is waited out. Telegram texts pass the text
//! policy's [`sanitize`] first (characters the API refuses become U+FFFD), so a
//! Telegram user's message is not refused for a stray control character: Telegram
//! cannot be asked to send it again.

use std::sync::Arc;
use std::time::Duration;

use chat_domain::Media;
use chat_domain::chat::events::TelegramLinkChange;
use chat_domain::chat::telegram_ids;
use chat_domain::text::{TextKind, sanitize};
use chat_media::{MediaError, MediaStore};
use tokio_util::sync::CancellationToken;

use crate::adapters::command_api::{
    CommandApiClient, CommandError, CommandOutcome, InboundMessage,
};
use crate::adapters::pg::{BridgeStore, Link, MappedMessage, Origin, StoreError};
use crate::attachments::{Incoming, incoming, not_copied, with_placeholder};
use crate::link_health::LinkHealth;
use crate::metrics::{FLOOD_WAITS, INBOUND_REFUSED, count_media};
use crate::ports::{
    GatewayError, TelegramGateway, TelegramMessage, TelegramTarget, TelegramUpdate,
};

mod files;

use files::Copied;

/// Longest wait between two attempts at a failing update.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// How long the update of one of the bridge's own sends waits for its id mapping, which
/// the outbound side records right after Telegram accepted the send (it never comes only
/// when the bridge stopped in between).
const OWN_SEND_MAPPING_WAIT: Duration = Duration::from_secs(2);

/// Why an update could not be handled yet (always worth retrying).
#[derive(Debug, thiserror::Error)]
pub enum InboundError {
    /// The bridge's tables are unavailable.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// command-api is unavailable.
    #[error(transparent)]
    Commands(CommandError),
    /// Telegram could not hand out a file (unreachable, or the account signed out).
    #[error("cannot download a Telegram file: {0}")]
    Download(#[source] GatewayError),
    /// The media store could not take a file.
    #[error("cannot store a Telegram file: {0}")]
    Media(#[source] MediaError),
}

/// The Telegram -> chat loop.
#[derive(Debug)]
pub struct Inbound<G> {
    gateway: Arc<G>,
    store: BridgeStore,
    media: Option<Arc<dyn MediaStore>>,
    links: LinkHealth,
    commands: CommandApiClient,
    backoff: Duration,
}

impl<G: TelegramGateway> Inbound<G> {
    /// A loop reading `gateway`, storing Telegram files in `media` (none: they arrive as
    /// placeholders), posting through `commands`, marking the groups the bot lost in
    /// `links`; `backoff` is the first wait after a failure (it doubles up to 5 s).
    pub fn new(
        gateway: Arc<G>,
        store: BridgeStore,
        media: Option<Arc<dyn MediaStore>>,
        links: LinkHealth,
        commands: CommandApiClient,
        backoff: Duration,
    ) -> Self {
        Self {
            gateway,
            store,
            media,
            links,
            commands,
            backoff,
        }
    }

    /// Handles updates until `shutdown` fires; an update in progress then is not
    /// confirmed, so it comes again after the restart.
    ///
    /// Reading the stream fails now and then: a flood wait (fetching a difference) is
    /// waited out as Telegram says, anything else (a broken connection, a signed-out
    /// account, which [`crate::authorization`] reports) is retried after a wait that
    /// doubles up to 5 s, so a lasting failure is not hammered.
    pub async fn run(&self, shutdown: CancellationToken) {
        let mut backoff = self.backoff;
        loop {
            let delivery = tokio::select! {
                () = shutdown.cancelled() => return,
                next = self.gateway.next_update() => next,
            };
            let delivery = match delivery {
                Ok(delivery) => {
                    backoff = self.backoff;
                    delivery
                }
                Err(e) => {
                    let wait = match e {
                        GatewayError::FloodWait { seconds } => {
                            FLOOD_WAITS.with_label_values(&["updates"]).inc();
                            Duration::from_secs(u64::from(seconds))
                        }
                        _ => {
                            let wait = backoff;
                            backoff = (backoff * 2).min(MAX_BACKOFF);
                            wait
                        }
                    };
                    tracing::warn!(error.message = %e, retry_in = ?wait, "cannot read Telegram updates; retrying");
                    tokio::select! {
                        () = shutdown.cancelled() => return,
                        () = tokio::time::sleep(wait) => continue,
                    }
                }
            };
            if !self.until_handled(&delivery.update, &shutdown).await {
                return;
            }
            if let Err(e) = self.gateway.confirm(delivery.id).await {
                tracing::warn!(error.message = %e, "cannot confirm an update; it may come again");
            }
        }
    }

    /// Retries one update until it is handled (`true`) or shutdown (`false`).
    async fn until_handled(&self, update: &TelegramUpdate, shutdown: &CancellationToken) -> bool {
        let mut backoff = self.backoff;
        loop {
            match self.process(update).await {
                Ok(()) => return true,
                Err(e) => {
                    tracing::warn!(error.message = %e, retry_in = ?backoff, "Telegram update not handled yet");
                    tokio::select! {
                        () = shutdown.cancelled() => return false,
                        () = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        }
    }

    /// Handles one update once.
    ///
    /// # Errors
    /// [`InboundError`] when the store or command-api is unavailable.
    #[tracing::instrument(skip_all)]
    pub async fn process(&self, update: &TelegramUpdate) -> Result<(), InboundError> {
        match update {
            TelegramUpdate::NewMessage(m) => self.new_message(m).await,
            TelegramUpdate::MessageEdited(m) => self.edited(m).await,
            TelegramUpdate::MessagesDeleted {
                chat_id: Some(chat_id),
                message_ids,
            } => {
                for id in message_ids {
                    self.deleted(*chat_id, *id).await?;
                }
                Ok(())
            }
            // Deletions outside supergroups do not say where: none of ours.
            TelegramUpdate::MessagesDeleted { chat_id: None, .. } => Ok(()),
            TelegramUpdate::AccessLost { chat_id, reason } => {
                self.links.broken(*chat_id, reason).await?;
                Ok(())
            }
            TelegramUpdate::GroupMigrated {
                from_chat_id,
                to_chat_id,
            } => self.migrated(*from_chat_id, *to_chat_id).await,
        }
    }

    /// A basic group became a supergroup: each chat linked to it is moved along (the
    /// bridge's own link follows from the `telegram_link_changed` event). A chat that
    /// moved already, or was unlinked meanwhile, refuses: nothing left to do.
    async fn migrated(&self, from: i64, to: i64) -> Result<(), InboundError> {
        let change = TelegramLinkChange::Moved {
            to_telegram_chat_id: to,
        };
        for link in self.store.links_of_group(from).await? {
            match self
                .commands
                .report_link_change(link.chat_id, from, &change)
                .await
            {
                Ok(_) => {
                    tracing::info!(chat_id = %link.chat_id, from, to, "a linked basic group became a supergroup; the link follows")
                }
                Err(CommandError::Refused { status, code }) => {
                    tracing::warn!(chat_id = %link.chat_id, status, %code, "moving a link to the upgraded supergroup was refused");
                }
                Err(e @ CommandError::Unavailable(_)) => return Err(InboundError::Commands(e)),
            }
        }
        Ok(())
    }

    async fn new_message(&self, m: &TelegramMessage) -> Result<(), InboundError> {
        if m.text.trim().is_empty() && m.media.is_none() {
            return Ok(());
        }
        let links = self.store.links_of_group(m.chat_id).await?;
        let Some(link) = pick_link(&links, m.topic_id) else {
            return Ok(());
        };
        if m.outgoing {
            return self.await_own_mapping(m).await;
        }
        if self
            .store
            .by_telegram_message(m.chat_id, m.message_id)
            .await?
            .is_some()
        {
            return Ok(());
        }
        let reply_to = match m.reply_to {
            Some(parent) => self
                .store
                .by_telegram_message(m.chat_id, parent)
                .await?
                .filter(|p| p.chat_id == link.chat_id)
                .map(|p| p.message_id),
            None => None,
        };
        let incoming = incoming(m);
        let (content, media) = match &incoming {
            Incoming::Text(text) => (text.clone(), None),
            Incoming::File {
                kind,
                file,
                caption,
            } => match self.copy_in(link.chat_id, m, file).await? {
                Copied::Stored(attachment) => {
                    let kind = *kind;
                    ((*caption).to_owned(), Some(Media { kind, attachment }))
                }
                Copied::Refused(why) => (with_placeholder(&not_copied(file, &why), caption), None),
            },
        };
        let mut message = InboundMessage {
            telegram_chat_id: m.chat_id,
            telegram_topic_id: m.topic_id,
            telegram_message_id: m.message_id,
            telegram_user_id: m.sender_id,
            sender_name: sanitize(TextKind::SingleLine, &m.sender_name).into_owned(),
            content: sanitize(TextKind::Multiline, &content).into_owned(),
            media,
            reply_to,
        };
        let mut outcome = self.commands.post_message(link.chat_id, &message).await;
        if let (Err(CommandError::Refused { code, .. }), Incoming::File { file, caption, .. }) =
            (&outcome, &incoming)
            && let Some(refused) = message.media.take()
        {
            // The chat refused the file: no message names its object, so nothing would
            // ever show or remove it; the message still arrives, saying what it carried.
            if let Some(store) = &self.media {
                store
                    .delete(&refused.attachment.key)
                    .await
                    .map_err(InboundError::Media)?;
            }
            let text = with_placeholder(&not_copied(file, code), caption);
            message.content = sanitize(TextKind::Multiline, &text).into_owned();
            outcome = self.commands.post_message(link.chat_id, &message).await;
        }
        match outcome {
            Ok(CommandOutcome::Accepted {
                message_id: Some(id),
                version,
            }) => {
                let target = TelegramTarget {
                    chat_id: m.chat_id,
                    topic_id: m.topic_id,
                };
                self.store
                    .record(
                        link.chat_id,
                        id,
                        target,
                        m.message_id,
                        Origin::Telegram,
                        version,
                    )
                    .await?;
                if m.media.as_ref().is_some_and(|media| media.file().is_some()) {
                    count_media("inbound", message.media.is_some());
                }
                Ok(())
            }
            other => settle(other, Refused::new("message", link.chat_id, m)),
        }
    }

    /// Waits (briefly) until the bridge's own send `m` is in the id mapping. Updates come
    /// in order, and a Telegram user can only reply to it after it appeared: once this
    /// returns, such a reply finds its parent even when it came within milliseconds.
    async fn await_own_mapping(&self, m: &TelegramMessage) -> Result<(), InboundError> {
        let deadline = tokio::time::Instant::now() + OWN_SEND_MAPPING_WAIT;
        while self
            .store
            .by_telegram_message(m.chat_id, m.message_id)
            .await?
            .is_none()
        {
            if tokio::time::Instant::now() >= deadline {
                tracing::debug!(
                    telegram_message_id = m.message_id,
                    "an own send without a mapping: its answer was lost"
                );
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(())
    }

    async fn edited(&self, m: &TelegramMessage) -> Result<(), InboundError> {
        if m.outgoing || (m.text.trim().is_empty() && m.media.is_none()) {
            return Ok(());
        }
        let Some(mapped) = self
            .store
            .by_telegram_message(m.chat_id, m.message_id)
            .await?
        else {
            return Ok(());
        };
        if mapped.origin != Origin::Telegram
            || mapped.deleted
            || !self.still_linked(m.chat_id, mapped.chat_id).await?
        {
            return Ok(());
        }
        // A file's caption, or the text (a placeholder's too: a live location moves).
        let text = match incoming(m) {
            Incoming::Text(text) => text,
            Incoming::File { caption, .. } => caption.to_owned(),
        };
        let text = sanitize(TextKind::Multiline, &text);
        let edited = self
            .commands
            .edit_message(mapped.chat_id, mapped.message_id, &text)
            .await;
        settle(edited, Refused::new("edit", mapped.chat_id, m))
    }

    async fn deleted(&self, chat_id: i64, message_id: i64) -> Result<(), InboundError> {
        let Some(mapped) = self.store.by_telegram_message(chat_id, message_id).await? else {
            return Ok(());
        };
        if mapped.deleted {
            return Ok(());
        }
        if mapped.origin == Origin::Chat {
            return self.copy_deleted(&mapped).await;
        }
        if !self.still_linked(chat_id, mapped.chat_id).await? {
            return Ok(());
        }
        match self
            .commands
            .delete_message(mapped.chat_id, mapped.message_id)
            .await
        {
            Ok(CommandOutcome::Accepted { version, .. }) => {
                self.store
                    .advance(mapped.chat_id, mapped.message_id, version, true)
                    .await?;
                Ok(())
            }
            other => settle(
                other,
                Refused {
                    update: "delete",
                    chat_id: mapped.chat_id,
                    telegram_chat_id: chat_id,
                    telegram_message_id: message_id,
                },
            ),
        }
    }

    /// A part of a chat message's Telegram copy was deleted in Telegram: the chat keeps
    /// its message (the bridge may not delete users' messages). The first part gone,
    /// replies no longer point at the copy and its edits are no longer mirrored; a later
    /// part gone is forgotten, so edits reach the parts that are left.
    async fn copy_deleted(&self, mapped: &MappedMessage) -> Result<(), InboundError> {
        let (chat, id) = (mapped.chat_id, mapped.message_id);
        if mapped.part > 0 {
            self.store.forget_part(chat, id, mapped.part).await?;
        } else {
            self.store
                .advance(chat, id, mapped.last_version, true)
                .await?;
        }
        Ok(())
    }

    async fn still_linked(
        &self,
        telegram_chat_id: i64,
        chat: chat_domain::ChatId,
    ) -> Result<bool, InboundError> {
        let links = self.store.links_of_group(telegram_chat_id).await?;
        Ok(links.iter().any(|l| l.chat_id == chat))
    }
}

/// The link a message of `topic` belongs to: the topic's own link first, else a link of
/// the whole supergroup.
fn pick_link(links: &[Link], topic: Option<i64>) -> Option<Link> {
    // A message without a topic header is in General (topic 1).
    let exact = links.iter().find(|l| {
        l.target
            .topic_id
            .is_some_and(|linked| telegram_ids::in_topic(linked, topic))
    });
    exact
        .or_else(|| links.iter().find(|l| l.target.topic_id.is_none()))
        .copied()
}

/// Which Telegram update command-api was asked to apply, for the record of a refusal.
#[derive(Debug, Clone, Copy)]
struct Refused {
    /// `message`, `edit` or `delete`.
    update: &'static str,
    chat_id: chat_domain::ChatId,
    telegram_chat_id: i64,
    telegram_message_id: i64,
}

impl Refused {
    const fn new(update: &'static str, chat_id: chat_domain::ChatId, m: &TelegramMessage) -> Self {
        Self {
            update,
            chat_id,
            telegram_chat_id: m.chat_id,
            telegram_message_id: m.message_id,
        }
    }
}

/// Done unless command-api is unavailable; a refusal is logged with the update's ids,
/// counted and dropped (the rule it breaks will not change by retrying, and retrying
/// would hold up every update after it, of every chat).
fn settle(
    outcome: Result<CommandOutcome, CommandError>,
    update: Refused,
) -> Result<(), InboundError> {
    match outcome {
        Ok(_) => Ok(()),
        Err(CommandError::Refused { status, code }) => {
            INBOUND_REFUSED
                .with_label_values(&[update.update, &status.to_string()])
                .inc();
            tracing::warn!(
                update = update.update,
                chat_id = %update.chat_id,
                telegram_chat_id = update.telegram_chat_id,
                telegram_message_id = update.telegram_message_id,
                status,
                %code,
                "command-api refused a Telegram update; skipping it"
            );
            Ok(())
        }
        Err(e @ CommandError::Unavailable(_)) => Err(InboundError::Commands(e)),
    }
}

#[cfg(test)]
#[path = "inbound_tests.rs"]
mod tests;
