//! An in-memory Telegram that behaves like the real one where the bridge cares: message
//! ids per supergroup, edits, deletes, replies, topics, an update stream that replays what
//! was not confirmed when a client reconnects, flood waits and broken connections on
//! demand (on sends and on reading updates), a revoked authorization (every call answers
//! `Unauthorized`), a bot removed from a group (calls there answer `NoAccess`, and it
//! sees none of the group's updates), Telegram's length limits on texts and captions
//! ([`TextLimit`], counted in UTF-16 code units), for the bridge's posts and edits and
//! for users' alike, and media: files (photos, documents, voice notes, videos, audio)
//! with their bytes, held to Telegram's MTProto size limits ([`crate::media`]), and
//! stickers, polls, locations and contacts.
//!
//! Public so other crates' end-to-end tests can drive it: [`FakeTelegram`] is "Telegram"
//! (tests post as users and read what a group contains), [`FakeTelegram::connect`] gives
//! the bridge its client, [`FakeGateway`].

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use crate::limits::TextLimit;
use crate::media::{OutgoingFile, TelegramMedia};
use crate::ports::{
    ChatAccess, Delivery, GatewayError, OWN_MESSAGE_WINDOW, TelegramGateway, TelegramMessage,
    TelegramTarget, TelegramUpdate,
};

mod files;

use files::Attached;
pub use files::UserFile;

/// The user id the bridge's own account has in the fake.
pub const BRIDGE_USER_ID: i64 = 777;

/// A message as the fake group holds it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FakeMessage {
    /// Telegram's id (per supergroup, from 1).
    pub id: i64,
    /// The forum topic, if any.
    pub topic_id: Option<i64>,
    /// The author.
    pub sender_id: i64,
    /// The author's name.
    pub sender_name: String,
    /// The current text (the caption of a media message).
    pub text: String,
    /// What it carries besides the text.
    pub media: Option<TelegramMedia>,
    /// The message it replies to.
    pub reply_to: Option<i64>,
    /// Whether it was edited.
    pub edited: bool,
    /// Whether the bridge's account wrote it.
    pub outgoing: bool,
}

#[derive(Debug, Default)]
struct Group {
    last_id: i64,
    messages: BTreeMap<i64, FakeMessage>,
    /// The bytes of the files messages carry, by message id.
    files: HashMap<i64, Vec<u8>>,
}

/// Everything the fake Telegram holds: its groups, the updates it produced, and the
/// faults a test asked for.
#[derive(Debug, Default)]
struct FakeWorld {
    groups: HashMap<i64, Group>,
    /// Every update ever produced; index = delivery id.
    log: Vec<TelegramUpdate>,
    /// Updates below this index were confirmed by the bridge.
    confirmed: usize,
    /// Every Nth send answers a flood wait of this many seconds.
    flood: Option<(u64, u32)>,
    send_attempts: u64,
    blocked_until: Option<Instant>,
    premature: u64,
    /// Send keys seen, per supergroup (Telegram's `random_id` dedupe).
    keys: HashSet<(i64, i64)>,
    /// Sends whose answer is lost although the message was posted.
    lose_answers: u32,
    /// Sends that still go through before every send fails as on a broken connection.
    sends_before_failure: Option<u64>,
    /// Whether the bridge's authorization was revoked.
    revoked: bool,
    /// Supergroups the bot was removed from.
    kicked: HashSet<i64>,
    /// Supergroups where the bot is a plain member with privacy mode on.
    commands_only: HashSet<i64>,
    /// What the next reads of the update stream answer, before any update.
    update_failures: VecDeque<GatewayError>,
    /// How often the bridge asked for the next update.
    update_reads: u64,
}

/// The fake Telegram server (cheap to clone; clones share the same state).
#[derive(Debug, Clone, Default)]
pub struct FakeTelegram {
    state: Arc<Mutex<FakeWorld>>,
    updated: Arc<Notify>,
}

impl FakeTelegram {
    /// An empty Telegram.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, FakeWorld> {
        // A test that panicked while holding the lock already failed; keep going.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A client session for the bridge: it receives the updates not yet confirmed, so a
    /// "restarted" bridge sees again what its predecessor did not finish.
    #[must_use]
    pub fn connect(&self) -> FakeGateway {
        let next = self.lock().confirmed;
        FakeGateway {
            telegram: self.clone(),
            next: Arc::new(tokio::sync::Mutex::new(next)),
        }
    }

    /// From now on every `n`th send answers `FloodWait { seconds }` (and sends during
    /// the wait answer the remaining wait).
    pub fn flood_wait_every(&self, n: u64, seconds: u32) {
        self.lock().flood = Some((n.max(1), seconds));
    }

    /// The next `n` sends post their message but the answer is lost on the way back
    /// (the bridge sees a broken connection), as when a connection drops or the bridge
    /// crashes right after Telegram accepted.
    pub fn lose_send_answers(&self, n: u32) {
        self.lock().lose_answers = n;
    }

    /// The next `n` sends go through; after them every send fails as on a broken
    /// connection (nothing posted) until [`Self::heal_sends`], as when Telegram becomes
    /// unreachable in the middle of a message posted in parts.
    pub fn fail_sends_after(&self, n: u64) {
        self.lock().sends_before_failure = Some(n);
    }

    /// Sends go through again (undoes [`Self::fail_sends_after`]).
    pub fn heal_sends(&self) {
        self.lock().sends_before_failure = None;
    }

    /// Revokes the bridge's authorization (as `auth.resetAuthorizations` or a new bot
    /// token does): every call answers `Unauthorized` until
    /// [`Self::restore_authorization`].
    pub fn revoke_authorization(&self) {
        self.lock().revoked = true;
        // A bridge waiting for updates learns it at once, as from a real server.
        self.updated.notify_waiters();
    }

    /// The bridge is authorized again (an operator signed the bot in anew).
    pub fn restore_authorization(&self) {
        self.lock().revoked = false;
        self.updated.notify_waiters();
    }

    /// Removes the bot from supergroup `chat_id`: sends, edits and deletes there answer
    /// `NoAccess("CHANNEL_PRIVATE")`, and the bridge no longer sees its updates.
    pub fn kick(&self, chat_id: i64) {
        self.lock().kicked.insert(chat_id);
    }

    /// Makes the bot a plain member of supergroup `chat_id` with privacy mode on
    /// (`true`), or an admin again: it only reports so ([`TelegramGateway::access`]),
    /// the fake keeps delivering every message.
    pub fn set_commands_only(&self, chat_id: i64, commands_only: bool) {
        let mut state = self.lock();
        if commands_only {
            state.commands_only.insert(chat_id);
        } else {
            state.commands_only.remove(&chat_id);
        }
    }

    /// Adds the bot to supergroup `chat_id` again (undoes [`Self::kick`]).
    pub fn readmit(&self, chat_id: i64) {
        self.lock().kicked.remove(&chat_id);
    }

    /// The next reads of the update stream answer `errors`, one each, in order (a flood
    /// wait or a broken connection while fetching a difference), before any update.
    pub fn fail_update_reads(&self, errors: impl IntoIterator<Item = GatewayError>) {
        self.lock().update_failures.extend(errors);
        self.updated.notify_waiters();
    }

    /// How often the bridge asked for the next update (failed reads included).
    #[must_use]
    pub fn update_reads(&self) -> u64 {
        self.lock().update_reads
    }

    /// How many sends arrived while a flood wait was still running (a bridge that obeys
    /// flood waits makes none).
    #[must_use]
    pub fn premature_sends(&self) -> u64 {
        self.lock().premature
    }

    /// How many updates the bridge has not confirmed yet (0: it handled everything).
    #[must_use]
    pub fn pending_updates(&self) -> usize {
        let state = self.lock();
        state.log.len().saturating_sub(state.confirmed)
    }

    /// A Telegram user posts `text` in `target`, optionally replying; returns its id.
    ///
    /// # Errors
    /// [`GatewayError::TooLong`] for a text over Telegram's limit (nothing posted).
    pub fn post_as_user(
        &self,
        target: TelegramTarget,
        user: (i64, &str),
        text: &str,
        reply_to: Option<i64>,
    ) -> Result<i64, GatewayError> {
        self.post(target, user, text, Attached::Nothing, reply_to, false)
    }

    /// A Telegram user posts `file` with `caption` in `target`, optionally replying;
    /// returns its id.
    ///
    /// # Errors
    /// [`GatewayError::TooLong`] for a caption over Telegram's limit, `Rejected` for a
    /// file over Telegram's size limits (nothing posted).
    pub fn post_file_as_user(
        &self,
        target: TelegramTarget,
        user: (i64, &str),
        file: UserFile,
        caption: &str,
        reply_to: Option<i64>,
    ) -> Result<i64, GatewayError> {
        file.check_size()?;
        self.post(target, user, caption, Attached::File(file), reply_to, false)
    }

    /// A Telegram user posts `media` without a file (a sticker, a poll, a location, a
    /// contact) in `target`; returns its id.
    ///
    /// # Errors
    /// `Rejected` for a [`TelegramMedia::File`] (post it with
    /// [`Self::post_file_as_user`]).
    pub fn post_media_as_user(
        &self,
        target: TelegramTarget,
        user: (i64, &str),
        media: TelegramMedia,
    ) -> Result<i64, GatewayError> {
        if media.file().is_some() {
            return Err(GatewayError::Rejected("MEDIA_INVALID".into()));
        }
        self.post(target, user, "", Attached::Media(media), None, false)
    }

    /// The bytes of the file message `id` of supergroup `chat_id` carries, if any.
    #[must_use]
    pub fn file(&self, chat_id: i64, id: i64) -> Option<Vec<u8>> {
        self.lock()
            .groups
            .get(&chat_id)
            .and_then(|g| g.files.get(&id).cloned())
    }

    /// A Telegram user edits message `id` of supergroup `chat_id`.
    ///
    /// # Errors
    /// [`GatewayError::TooLong`] for a text over Telegram's limit, `Rejected` when there
    /// is no such message; either way nothing changed.
    pub fn edit_as_user(&self, chat_id: i64, id: i64, text: &str) -> Result<(), GatewayError> {
        self.edit(chat_id, id, text)
    }

    /// A Telegram user (or admin) deletes message `id` of supergroup `chat_id`; `false`
    /// when there is no such message.
    pub fn delete_as_user(&self, chat_id: i64, id: i64) -> bool {
        self.delete(chat_id, id)
    }

    /// The messages supergroup `chat_id` contains now, oldest first.
    #[must_use]
    pub fn messages(&self, chat_id: i64) -> Vec<FakeMessage> {
        self.lock()
            .groups
            .get(&chat_id)
            .map(|g| g.messages.values().cloned().collect())
            .unwrap_or_default()
    }

    fn post(
        &self,
        target: TelegramTarget,
        (sender_id, sender_name): (i64, &str),
        text: &str,
        attached: Attached,
        reply_to: Option<i64>,
        outgoing: bool,
    ) -> Result<i64, GatewayError> {
        attached.text_limit().check(text)?;
        let mut state = self.lock();
        let group = state.groups.entry(target.chat_id).or_default();
        group.last_id += 1;
        let id = group.last_id;
        let media = match attached {
            Attached::Nothing => None,
            Attached::Media(media) => Some(media),
            Attached::File(file) => {
                let media = TelegramMedia::File(file.describe());
                group.files.insert(id, file.bytes);
                Some(media)
            }
        };
        let message = FakeMessage {
            id,
            topic_id: target.topic_id,
            sender_id,
            sender_name: sender_name.to_owned(),
            text: text.to_owned(),
            media,
            reply_to,
            edited: false,
            outgoing,
        };
        group.messages.insert(message.id, message.clone());
        state.publish(
            target.chat_id,
            TelegramUpdate::NewMessage(as_update(target.chat_id, message)),
        );
        drop(state);
        self.updated.notify_waiters();
        Ok(id)
    }

    fn edit(&self, chat_id: i64, id: i64, text: &str) -> Result<(), GatewayError> {
        let mut state = self.lock();
        let Some(message) = state
            .groups
            .get_mut(&chat_id)
            .and_then(|g| g.messages.get_mut(&id))
        else {
            return Err(GatewayError::Rejected("MESSAGE_ID_INVALID".into()));
        };
        let limit = if message.media.is_some() {
            TextLimit::Caption
        } else {
            TextLimit::Message
        };
        limit.check(text)?;
        message.text = text.to_owned();
        message.edited = true;
        let update = TelegramUpdate::MessageEdited(as_update(chat_id, message.clone()));
        state.publish(chat_id, update);
        drop(state);
        self.updated.notify_waiters();
        Ok(())
    }

    fn delete(&self, chat_id: i64, id: i64) -> bool {
        let mut state = self.lock();
        let removed = state
            .groups
            .get_mut(&chat_id)
            .and_then(|g| {
                g.files.remove(&id);
                g.messages.remove(&id)
            })
            .is_some();
        if removed {
            let update = TelegramUpdate::MessagesDeleted {
                chat_id: Some(chat_id),
                message_ids: vec![id],
            };
            state.publish(chat_id, update);
        }
        drop(state);
        self.updated.notify_waiters();
        removed
    }

    /// Applies the flood rule to one write; `Err` when the caller must wait.
    fn admit(&self) -> Result<(), GatewayError> {
        let mut state = self.lock();
        let now = Instant::now();
        if let Some(until) = state.blocked_until.filter(|until| *until > now) {
            state.premature += 1;
            let left = until - now;
            return Err(GatewayError::FloodWait {
                seconds: u32::try_from(left.as_secs().max(1)).unwrap_or(u32::MAX),
            });
        }
        state.send_attempts += 1;
        if let Some((every, seconds)) = state.flood
            && state.send_attempts.is_multiple_of(every)
        {
            state.blocked_until = Some(now + Duration::from_secs(u64::from(seconds)));
            return Err(GatewayError::FloodWait { seconds });
        }
        Ok(())
    }
}

impl FakeWorld {
    /// Adds an update of supergroup `chat_id` to the stream, unless the bot was removed
    /// from it (a member no more, it is told nothing).
    fn publish(&mut self, chat_id: i64, update: TelegramUpdate) {
        if !self.kicked.contains(&chat_id) {
            self.log.push(update);
        }
    }

    /// `Unauthorized` once the authorization was revoked.
    fn authorized(&self) -> Result<(), GatewayError> {
        if self.revoked {
            return Err(GatewayError::Unauthorized("AUTH_KEY_UNREGISTERED".into()));
        }
        Ok(())
    }

    /// `Unauthorized` as above, or `NoAccess` when the bot was removed from `chat_id`.
    fn may_write(&self, chat_id: i64) -> Result<(), GatewayError> {
        self.authorized()?;
        if self.kicked.contains(&chat_id) {
            return Err(GatewayError::NoAccess("CHANNEL_PRIVATE".into()));
        }
        Ok(())
    }
}

fn as_update(chat_id: i64, m: FakeMessage) -> TelegramMessage {
    TelegramMessage {
        chat_id,
        topic_id: m.topic_id,
        message_id: m.id,
        sender_id: m.sender_id,
        sender_name: m.sender_name,
        text: m.text,
        media: m.media,
        reply_to: m.reply_to,
        outgoing: m.outgoing,
    }
}

/// The bridge's client session on a [`FakeTelegram`].
#[derive(Debug, Clone)]
pub struct FakeGateway {
    telegram: FakeTelegram,
    next: Arc<tokio::sync::Mutex<usize>>,
}

impl FakeGateway {
    /// A post of the bridge's account, with Telegram's checks in Telegram's order: access,
    /// flood limits, the parent, the text's length, the file's size, the send key.
    fn bridge_post(
        &self,
        target: TelegramTarget,
        text: &str,
        attached: Attached,
        reply_to: Option<i64>,
        key: i64,
    ) -> Result<i64, GatewayError> {
        self.telegram.lock().may_write(target.chat_id)?;
        self.telegram.admit()?;
        if let Some(parent) = reply_to {
            let exists = self
                .telegram
                .lock()
                .groups
                .get(&target.chat_id)
                .is_some_and(|g| g.messages.contains_key(&parent));
            if !exists {
                return Err(GatewayError::Rejected("REPLY_MESSAGE_ID_INVALID".into()));
            }
        }
        attached.text_limit().check(text)?;
        if let Attached::File(file) = &attached {
            file.check_size()?;
        }
        {
            let mut state = self.telegram.lock();
            match &mut state.sends_before_failure {
                Some(0) => return Err(GatewayError::Unavailable("connection lost".into())),
                Some(left) => *left -= 1,
                None => {}
            }
            // A refused send used no key; a posted one did.
            if !state.keys.insert((target.chat_id, key)) {
                return Err(GatewayError::AlreadySent);
            }
        }
        let bridge = (BRIDGE_USER_ID, "Bridge");
        let id = self
            .telegram
            .post(target, bridge, text, attached, reply_to, true)?;
        let mut state = self.telegram.lock();
        if state.lose_answers > 0 {
            state.lose_answers -= 1;
            return Err(GatewayError::Unavailable("connection reset".into()));
        }
        Ok(id)
    }
}

impl TelegramGateway for FakeGateway {
    async fn send_message(
        &self,
        target: TelegramTarget,
        text: &str,
        reply_to: Option<i64>,
        key: i64,
    ) -> Result<i64, GatewayError> {
        self.bridge_post(target, text, Attached::Nothing, reply_to, key)
    }

    async fn send_file(
        &self,
        target: TelegramTarget,
        file: OutgoingFile<'_>,
        caption: &str,
        reply_to: Option<i64>,
        key: i64,
    ) -> Result<i64, GatewayError> {
        let attached = Attached::File(file.into());
        self.bridge_post(target, caption, attached, reply_to, key)
    }

    async fn download_file(&self, chat_id: i64, message_id: i64) -> Result<Vec<u8>, GatewayError> {
        self.telegram.lock().may_write(chat_id)?;
        self.telegram
            .file(chat_id, message_id)
            .ok_or_else(|| GatewayError::Rejected("MESSAGE_ID_INVALID".into()))
    }

    async fn next_update(&self) -> Result<Delivery, GatewayError> {
        let mut next = self.next.lock().await;
        self.telegram.lock().update_reads += 1;
        loop {
            let notified = self.telegram.updated.notified();
            {
                let mut state = self.telegram.lock();
                state.authorized()?;
                if let Some(failure) = state.update_failures.pop_front() {
                    return Err(failure);
                }
                if let Some(update) = state.log.get(*next).cloned() {
                    let id = *next as u64;
                    *next += 1;
                    return Ok(Delivery { id, update });
                }
            }
            notified.await;
        }
    }

    async fn edit_message(
        &self,
        chat_id: i64,
        message_id: i64,
        text: &str,
    ) -> Result<(), GatewayError> {
        self.telegram.lock().may_write(chat_id)?;
        self.telegram.edit(chat_id, message_id, text)
    }

    async fn delete_message(&self, chat_id: i64, message_id: i64) -> Result<(), GatewayError> {
        self.telegram.lock().may_write(chat_id)?;
        self.telegram.delete(chat_id, message_id);
        Ok(())
    }

    async fn find_own_messages(
        &self,
        target: TelegramTarget,
        text: &str,
        around: i64,
    ) -> Result<Vec<i64>, GatewayError> {
        self.telegram.lock().may_write(target.chat_id)?;
        let window =
            around.saturating_sub(OWN_MESSAGE_WINDOW)..=around.saturating_add(OWN_MESSAGE_WINDOW);
        let mut own: Vec<i64> = self
            .telegram
            .messages(target.chat_id)
            .into_iter()
            .filter(|m| m.outgoing && m.text == text && window.contains(&m.id))
            .map(|m| m.id)
            .collect();
        own.reverse();
        Ok(own)
    }

    async fn follow(&self, chat_id: i64) -> Result<(), GatewayError> {
        // The fake keeps every update until it is confirmed: nothing to start.
        self.telegram.lock().may_write(chat_id)
    }

    async fn access(&self, chat_id: i64) -> Result<ChatAccess, GatewayError> {
        let state = self.telegram.lock();
        state.may_write(chat_id)?;
        Ok(if state.commands_only.contains(&chat_id) {
            ChatAccess::CommandsOnly
        } else {
            ChatAccess::SeesAll
        })
    }

    async fn confirm(&self, delivery_id: u64) -> Result<(), GatewayError> {
        let mut state = self.telegram.lock();
        state.authorized()?;
        let upto = usize::try_from(delivery_id)
            .unwrap_or(usize::MAX)
            .saturating_add(1);
        state.confirmed = state.confirmed.max(upto);
        Ok(())
    }
}

#[cfg(test)]
#[path = "fake_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "fake_media_tests.rs"]
mod media_tests;
