//! A Telegram double at the MTProto level, for tests: it answers the API calls of
//! [`super::api::TelegramApi`] with grammers' raw types and pushes updates the way
//! Telegram does, so the real adapter — sends with `random_id`, update sequences,
//! differences — runs against it unchanged, restart and all.
//!
//! What it models of Telegram:
//! - **Update sequences.** Each supergroup has its own pts: a new, edited or deleted
//!   message the bot can see moves it by one. Updates are pushed only to a connected
//!   client; one that was away asks `updates.getChannelDifference`, answered in batches
//!   (new messages in their current state, edits and deletes of older ones as
//!   `other_updates`, the last batch `final`), or as `channelDifferenceTooLong`.
//! - **Limits.** 4,096 UTF-16 code units per text (`MESSAGE_TOO_LONG`), `MESSAGE_EMPTY`,
//!   `RANDOM_ID_DUPLICATE`, `MESSAGE_NOT_MODIFIED`, `MESSAGE_AUTHOR_REQUIRED`.
//! - **Privacy mode.** A bot with privacy on that is not an admin sees only commands
//!   and replies to its own messages (nothing else reaches it, pushed or fetched).
//! - **Membership and auth.** A kicked bot gets `CHANNEL_PRIVATE` (and
//!   `USER_NOT_PARTICIPANT` from `channels.getParticipant`); a revoked session gets
//!   `401 AUTH_KEY_UNREGISTERED` from every call.
//! - **Flood waits** on differences (`420 FLOOD_WAIT_n`), set up by a test.
//! - **Lost answers**: a send that is posted but whose answer never arrives.
//! - **Bot restrictions**: messages are read by id (`channels.getMessages`) only.
//! - **Files**: uploads (one part each), photos and documents sent with them
//!   (`MEDIA_CAPTION_TOO_LONG` over 1,024), users' documents, and downloads by location.

mod server;
pub mod session_dir;
pub mod tl_build;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use grammers_session::types::PeerId;
use grammers_session::updates::UpdatesLike;
use grammers_tl_types as tl;
use tokio::sync::mpsc;

use crate::limits::{TextLimit, utf16_len};

/// The bot's user id.
pub const BOT_ID: i64 = 7_000_001;
/// The bot's name.
pub const BOT_NAME: &str = "Bridge";

/// What the bot is in a supergroup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BotRole {
    /// A plain member: with privacy mode on, it sees only commands and replies to it.
    Member,
    /// An admin: it sees every message.
    Admin,
    /// Removed (kicked or banned).
    Removed,
}

/// A message as the double keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    /// Its id in the supergroup.
    pub id: i32,
    /// The author (a user, or [`BOT_ID`]).
    pub from: i64,
    /// The text.
    pub text: String,
    /// The message it replies to.
    pub reply_to: Option<i32>,
    /// The forum topic.
    pub topic: Option<i32>,
    date: i32,
    edit_date: Option<i32>,
    /// Whether the bot can see it (privacy mode).
    visible: bool,
}

/// What moved a supergroup's pts.
#[derive(Debug, Clone)]
enum Change {
    New(i32),
    Edited(i32),
    Deleted(Vec<i32>),
}

#[derive(Debug)]
struct Group {
    role: BotRole,
    pts: i32,
    last_id: i32,
    messages: BTreeMap<i32, Posted>,
    /// `(pts, change)`, in pts order.
    log: Vec<(i32, Change)>,
    random_ids: HashMap<i64, i32>,
    /// The media of messages that carry any, by message id.
    media: HashMap<i32, tl::enums::MessageMedia>,
}

#[derive(Debug)]
struct World {
    authorized: bool,
    /// Privacy mode off.
    bot_reads_all: bool,
    groups: BTreeMap<i64, Group>,
    names: HashMap<i64, String>,
    pushed: Option<mpsc::Sender<UpdatesLike>>,
    difference_flood_waits: VecDeque<u32>,
    too_long_next: bool,
    difference_batch: usize,
    difference_calls: u64,
    /// Sends whose answer is lost (the connection drops) after Telegram posted them.
    lost_send_answers: u32,
    /// The account's common update sequence (basic groups' messages move it).
    common_pts: i32,
    clock: i32,
    /// Uploaded files, by the client's file id.
    uploads: HashMap<i64, Vec<u8>>,
    /// The files of photos and documents, by their id.
    files: HashMap<i64, Vec<u8>>,
    /// The id the next kept file gets.
    next_file_id: i64,
}

/// The double; clones share one Telegram.
#[derive(Debug, Clone)]
pub struct TelegramDouble {
    world: Arc<Mutex<World>>,
}

/// A client connection to the double (what the gateway calls).
#[derive(Debug)]
pub struct DoubleClient {
    world: Arc<Mutex<World>>,
}

impl Default for TelegramDouble {
    fn default() -> Self {
        Self::new()
    }
}

impl TelegramDouble {
    /// A Telegram with the bot signed in, privacy mode off, in no group yet.
    #[must_use]
    pub fn new() -> Self {
        let world = World {
            authorized: true,
            bot_reads_all: true,
            groups: BTreeMap::new(),
            names: HashMap::from([(BOT_ID, BOT_NAME.to_owned())]),
            pushed: None,
            difference_flood_waits: VecDeque::new(),
            too_long_next: false,
            difference_batch: usize::MAX,
            difference_calls: 0,
            lost_send_answers: 0,
            common_pts: 1,
            clock: 1_700_000_000,
            uploads: HashMap::new(),
            files: HashMap::new(),
            next_file_id: 1,
        };
        Self {
            world: Arc::new(Mutex::new(world)),
        }
    }

    fn world(&self) -> MutexGuard<'_, World> {
        lock(&self.world)
    }

    /// A client of the bot's session, with the channel Telegram pushes updates into (a
    /// new connection replaces the previous one, which gets nothing more).
    #[must_use]
    pub fn connect(&self) -> (DoubleClient, mpsc::Receiver<UpdatesLike>) {
        let (tx, rx) = mpsc::channel(10_000);
        self.world().pushed = Some(tx);
        (
            DoubleClient {
                world: Arc::clone(&self.world),
            },
            rx,
        )
    }

    /// Creates supergroup `chat_id` (a Bot API id, `-100…`) with the bot in `role`.
    ///
    /// # Panics
    /// When `chat_id` is not a supergroup's id.
    pub fn add_group(&self, chat_id: i64, role: BotRole) {
        let id = bare(chat_id);
        self.world().groups.insert(
            id,
            Group {
                role,
                pts: 1,
                last_id: 1,
                messages: BTreeMap::new(),
                log: Vec::new(),
                random_ids: HashMap::new(),
                media: HashMap::new(),
            },
        );
    }

    /// Sets the bot's role in `chat_id` (a kick is [`BotRole::Removed`]).
    pub fn set_role(&self, chat_id: i64, role: BotRole) {
        if let Some(group) = self.world().groups.get_mut(&bare(chat_id)) {
            group.role = role;
        }
    }

    /// Turns the bot's privacy mode on or off (BotFather's `/setprivacy`).
    pub fn set_privacy(&self, on: bool) {
        self.world().bot_reads_all = !on;
    }

    /// Revokes the bot's session (`true`) or lets it in again.
    pub fn revoke_authorization(&self, revoked: bool) {
        self.world().authorized = !revoked;
    }

    /// The next differences asked for are answered with these flood waits, in order.
    pub fn flood_wait_differences(&self, seconds: impl IntoIterator<Item = u32>) {
        self.world().difference_flood_waits.extend(seconds);
    }

    /// The next channel difference is answered `channelDifferenceTooLong`.
    pub fn answer_next_difference_too_long(&self) {
        self.world().too_long_next = true;
    }

    /// At most `changes` pts steps per difference answer (the rest in later batches).
    pub fn difference_batches_of(&self, changes: usize) {
        self.world().difference_batch = changes.max(1);
    }

    /// The next `n` sends post their message, then the connection drops before the
    /// answer (the client sees a broken connection and retries).
    pub fn lose_send_answers(&self, n: u32) {
        self.world().lost_send_answers = n;
    }

    /// Telegram upgrades basic group `basic_chat_id` (a Bot API id, `-N`) to a new
    /// supergroup with the bot as admin; the basic group's service message says so (in
    /// the account's common sequence). The supergroup's Bot API id.
    ///
    /// # Panics
    /// When `basic_chat_id` is not a basic group's id.
    pub fn upgrade_basic_group(&self, basic_chat_id: i64) -> i64 {
        let basic = PeerId::from_bot_api_dialog_id(basic_chat_id)
            .and_then(PeerId::bare_id)
            .expect("a basic group's id");
        let channel = 1_700_000_000 + basic;
        let supergroup = PeerId::channel(channel)
            .and_then(PeerId::bot_api_dialog_id)
            .expect("a supergroup id");
        self.add_group(supergroup, BotRole::Admin);
        let mut world = self.world();
        let date = world.tick();
        world.common_pts += 1;
        let update = tl::types::UpdateNewMessage {
            message: tl_build::migrated_to(2, basic, channel, date),
            pts: world.common_pts,
            pts_count: 1,
        };
        world.push_any(vec![update.into()]);
        supergroup
    }

    /// How many channel differences were asked for.
    #[must_use]
    pub fn channel_difference_calls(&self) -> u64 {
        self.world().difference_calls
    }

    /// User `author` posts `text` in `chat_id`, replying to `reply_to`; the message id.
    ///
    /// # Panics
    /// When the group does not exist.
    pub fn post_as_user(
        &self,
        chat_id: i64,
        author: (i64, &str),
        text: &str,
        reply_to: Option<i64>,
    ) -> i64 {
        let mut world = self.world();
        world.names.insert(author.0, author.1.to_owned());
        let reply_to = reply_to.and_then(|id| i32::try_from(id).ok());
        let (id, _) = world.post(bare(chat_id), author.0, text, (reply_to, None), None);
        i64::from(id)
    }

    /// User `author` posts a document `(name, mime_type, bytes)` with `caption` in
    /// `chat_id`; the message id.
    ///
    /// # Panics
    /// When the group does not exist.
    pub fn post_document_as_user(
        &self,
        chat_id: i64,
        author: (i64, &str),
        (name, mime_type, bytes): (&str, &str, &[u8]),
        caption: &str,
    ) -> i64 {
        let mut world = self.world();
        world.names.insert(author.0, author.1.to_owned());
        let file_id = world.keep_file(bytes.to_vec());
        let name = tl::types::DocumentAttributeFilename {
            file_name: name.to_owned(),
        };
        let media = tl_build::document(file_id, mime_type, bytes.len(), vec![name.into()]);
        let (id, _) = world.post(bare(chat_id), author.0, caption, (None, None), Some(media));
        i64::from(id)
    }

    /// User edits message `id` of `chat_id` to `text`.
    pub fn edit_as_user(&self, chat_id: i64, id: i64, text: &str) {
        let id = i32::try_from(id).expect("a message id");
        self.world().edit(bare(chat_id), id, text);
    }

    /// User deletes message `id` of `chat_id`.
    pub fn delete_as_user(&self, chat_id: i64, id: i64) {
        let id = i32::try_from(id).expect("a message id");
        self.world().delete(bare(chat_id), &[id]);
    }

    /// The messages of `chat_id` now, in id order.
    #[must_use]
    pub fn messages(&self, chat_id: i64) -> Vec<Posted> {
        self.world()
            .groups
            .get(&bare(chat_id))
            .map(|g| g.messages.values().cloned().collect())
            .unwrap_or_default()
    }
}

/// The bare channel id of a supergroup's Bot API id.
fn bare(chat_id: i64) -> i64 {
    PeerId::from_bot_api_dialog_id(chat_id)
        .and_then(PeerId::bare_id)
        .unwrap_or(chat_id)
}

fn lock(world: &Mutex<World>) -> MutexGuard<'_, World> {
    world
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl World {
    fn tick(&mut self) -> i32 {
        self.clock += 1;
        self.clock
    }

    fn sees(&self, group: &Group, from: i64, text: &str, reply_to: Option<i32>) -> bool {
        from == BOT_ID
            || self.bot_reads_all
            || group.role == BotRole::Admin
            || text.starts_with('/')
            || reply_to
                .and_then(|parent| group.messages.get(&parent))
                .is_some_and(|parent| parent.from == BOT_ID)
    }

    /// A new message; its id and, when the bot sees it, the pts it took.
    fn post(
        &mut self,
        channel: i64,
        from: i64,
        text: &str,
        (reply_to, topic): (Option<i32>, Option<i32>),
        media: Option<tl::enums::MessageMedia>,
    ) -> (i32, Option<i32>) {
        let date = self.tick();
        let group = self.groups.get(&channel).expect("the group exists");
        let visible = self.sees(group, from, text, reply_to);
        let group = self.groups.get_mut(&channel).expect("the group exists");
        group.last_id += 1;
        let id = group.last_id;
        group.messages.insert(
            id,
            Posted {
                id,
                from,
                text: text.to_owned(),
                reply_to,
                topic,
                date,
                edit_date: None,
                visible,
            },
        );
        if let Some(media) = media {
            group.media.insert(id, media);
        }
        if !visible {
            return (id, None);
        }
        let pts = group.step(Change::New(id));
        let update = tl::types::UpdateNewChannelMessage {
            message: self.raw(channel, id),
            pts,
            pts_count: 1,
        };
        self.push(channel, vec![update.into()]);
        (id, Some(pts))
    }

    /// Edits message `id`; the pts it took when the bot sees it.
    fn edit(&mut self, channel: i64, id: i32, text: &str) -> Option<i32> {
        let date = self.tick();
        let group = self.groups.get_mut(&channel)?;
        let posted = group.messages.get_mut(&id)?;
        posted.text = text.to_owned();
        posted.edit_date = Some(date);
        if !posted.visible {
            return None;
        }
        let pts = group.step(Change::Edited(id));
        let update = tl::types::UpdateEditChannelMessage {
            message: self.raw(channel, id),
            pts,
            pts_count: 1,
        };
        self.push(channel, vec![update.into()]);
        Some(pts)
    }

    /// Deletes messages `ids`; the pts it took when the bot saw any of them.
    fn delete(&mut self, channel: i64, ids: &[i32]) -> Option<i32> {
        let group = self.groups.get_mut(&channel)?;
        let seen: Vec<i32> = ids
            .iter()
            .filter_map(|id| {
                group.media.remove(id);
                group.messages.remove(id)
            })
            .filter(|posted| posted.visible)
            .map(|posted| posted.id)
            .collect();
        if seen.is_empty() {
            return None;
        }
        let pts = group.step(Change::Deleted(seen.clone()));
        let update = tl::types::UpdateDeleteChannelMessages {
            channel_id: channel,
            messages: seen,
            pts,
            pts_count: 1,
        };
        self.push(channel, vec![update.into()]);
        Some(pts)
    }

    /// Message `id` as the bot sees it.
    fn raw(&self, channel: i64, id: i32) -> tl::enums::Message {
        let group = &self.groups[&channel];
        let posted = &group.messages[&id];
        let message = tl_build::message(&tl_build::MessageFacts {
            id,
            channel_id: channel,
            from: posted.from,
            out: posted.from == BOT_ID,
            date: posted.date,
            edit_date: posted.edit_date,
            text: &posted.text,
            reply_to: posted.reply_to,
            topic: posted.topic,
        });
        match (message, group.media.get(&id)) {
            (tl::enums::Message::Message(mut message), Some(media)) => {
                message.media = Some(media.clone());
                message.into()
            }
            (message, _) => message,
        }
    }

    /// Keeps uploaded `bytes`; the file id an `inputFile` names them by.
    fn keep_upload_parts(&mut self, bytes: Vec<u8>) -> i64 {
        let id = self.next_file_id;
        self.next_file_id += 1;
        self.uploads.insert(id, bytes);
        id
    }

    /// Keeps the bytes of a photo or document; its id.
    fn keep_file(&mut self, bytes: Vec<u8>) -> i64 {
        let id = self.next_file_id;
        self.next_file_id += 1;
        self.files.insert(id, bytes);
        id
    }

    /// The users a batch names (the authors of its messages).
    fn users(&self, authors: impl IntoIterator<Item = i64>) -> Vec<tl::enums::User> {
        let mut authors: Vec<i64> = authors.into_iter().collect();
        authors.sort_unstable();
        authors.dedup();
        authors
            .into_iter()
            .filter_map(|id| {
                let name = self.names.get(&id)?;
                Some(tl_build::user(id, name, None))
            })
            .collect()
    }

    /// Pushes updates of `channel` to the connected client, if any and if the bot is
    /// still in the group.
    fn push(&self, channel: i64, updates: Vec<tl::enums::Update>) {
        if self.groups.get(&channel).map(|g| g.role) != Some(BotRole::Removed) {
            self.push_any(updates);
        }
    }

    /// Pushes updates to the connected client, if any and still signed in.
    fn push_any(&self, updates: Vec<tl::enums::Update>) {
        if !self.authorized {
            return;
        }
        let Some(pushed) = &self.pushed else {
            return;
        };
        let authors = updates.iter().filter_map(super::mapping::author_id);
        let batch = tl::types::Updates {
            users: self.users(authors),
            updates,
            chats: Vec::new(),
            date: self.clock,
            seq: 0,
        };
        // A client gone (a stopped bridge) misses it, as with Telegram: it catches up
        // through a difference.
        let _ = pushed.try_send(UpdatesLike::Updates(batch.into()));
    }
}

impl Group {
    /// Moves the pts by one for `change`.
    fn step(&mut self, change: Change) -> i32 {
        self.pts += 1;
        self.log.push((self.pts, change));
        self.pts
    }
}

/// Whether `text` is within Telegram's message limit.
fn fits(text: &str) -> bool {
    utf16_len(text) <= TextLimit::Message.max()
}
