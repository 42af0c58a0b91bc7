//! What the bridge needs from Telegram, in the bridge's own terms.
//!
//! Vendor types (grammers updates, RPC errors) stay in `adapters::telegram`; the fake in
//! `adapters::fake` implements the same port for tests and local runs.

use std::future::Future;

use crate::limits::TextLimit;
use crate::media::{OutgoingFile, TelegramMedia};

/// Where a message goes: a supergroup, optionally one forum topic of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TelegramTarget {
    /// The supergroup, as a Bot API dialog id (`-100…`).
    pub chat_id: i64,
    /// The forum topic (the id of the message that opened it), if any.
    pub topic_id: Option<i64>,
}

/// A message as Telegram shows it (new or edited).
#[derive(Debug, Clone, PartialEq)]
pub struct TelegramMessage {
    /// The supergroup (Bot API dialog id).
    pub chat_id: i64,
    /// The forum topic it was posted in, if any.
    pub topic_id: Option<i64>,
    /// Telegram's id of the message (unique within the supergroup).
    pub message_id: i64,
    /// The author's Telegram user id (0 when Telegram does not say, e.g. anonymous admins).
    pub sender_id: i64,
    /// The author's display name.
    pub sender_name: String,
    /// The text (or caption).
    pub text: String,
    /// What it carries besides the text (a photo, a sticker, ...), if anything.
    pub media: Option<TelegramMedia>,
    /// The message it replies to (not the topic root), if any.
    pub reply_to: Option<i64>,
    /// Whether the bridge's own account wrote it (its own sends coming back as updates).
    pub outgoing: bool,
}

/// Something that happened in a chat the bridge's account can see.
#[derive(Debug, Clone, PartialEq)]
pub enum TelegramUpdate {
    /// A new message.
    NewMessage(TelegramMessage),
    /// A message was edited (carries its new state).
    MessageEdited(TelegramMessage),
    /// Messages were deleted.
    MessagesDeleted {
        /// The supergroup, when Telegram says (it does for supergroups).
        chat_id: Option<i64>,
        /// The deleted messages.
        message_ids: Vec<i64>,
    },
    /// Telegram upgraded a basic group to a supergroup (`migrate_to`): links to the
    /// basic group must follow, or they go silent.
    GroupMigrated {
        /// The basic group (Bot API id, `-N`).
        from_chat_id: i64,
        /// The supergroup (Bot API id, `-100…`).
        to_chat_id: i64,
    },
    /// The bot lost a supergroup (kicked, banned, the group gone) while following its
    /// updates: nothing more comes from it until the bot is let back in.
    AccessLost {
        /// The supergroup (Bot API dialog id).
        chat_id: i64,
        /// Telegram's answer (`CHANNEL_PRIVATE`, ...).
        reason: String,
    },
}

/// One update handed to the bridge; confirming its `id` means "handled, don't replay".
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// Position of the update in the gateway's stream.
    pub id: u64,
    /// The update.
    pub update: TelegramUpdate,
}

/// What the bot sees of a supergroup it is a member of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatAccess {
    /// Every message: the bot is an admin, or its privacy mode is off.
    SeesAll,
    /// Only commands and replies to its own messages: a plain member with privacy mode
    /// on (BotFather's default), so the group's talk would never reach the chat.
    CommandsOnly,
}

/// How far around a known message id the copy of a lost send is looked for
/// ([`TelegramGateway::find_own_messages`]).
pub const OWN_MESSAGE_WINDOW: i64 = 100;

/// Why Telegram did not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    /// Too many requests: wait this long, then try again (never drop the message).
    #[error("flood wait: retry in {seconds} s")]
    FloodWait {
        /// Seconds to wait.
        seconds: u32,
    },
    /// A send with this key was already posted (its answer was lost, e.g. by a crash or
    /// a dropped connection): nothing new was posted.
    #[error("a message with this key was already sent")]
    AlreadySent,
    /// The text is longer than Telegram takes (`MESSAGE_TOO_LONG`,
    /// `MEDIA_CAPTION_TOO_LONG`): nothing was posted or changed. Not a plain
    /// [`Self::Rejected`], because skipping it would lose the text: the bridge splits
    /// texts before sending, so this means its count and Telegram's disagree.
    #[error(
        "telegram refused a text over its limit of {} UTF-16 code units ({})",
        .0.max(),
        .0.rpc_error()
    )]
    TooLong(TextLimit),
    /// Telegram no longer accepts the bridge's account (`AUTH_KEY_UNREGISTERED`,
    /// `SESSION_REVOKED`, a deactivated bot, any 401): nothing was done, and no call
    /// will work until an operator authorizes it again. Not a refusal of this request:
    /// the bridge becomes not ready and retries, skipping nothing.
    #[error("telegram no longer accepts the bridge's authorization: {0}")]
    Unauthorized(String),
    /// The bot cannot reach this chat (kicked, banned, not allowed to write, chat gone:
    /// `CHAT_WRITE_FORBIDDEN`, `CHANNEL_PRIVATE`, ...): nothing was done. Not a plain
    /// [`Self::Rejected`], because every later message of the chat meets the same
    /// answer until someone lets the bot back in.
    #[error("the bot has no access to the chat: {0}")]
    NoAccess(String),
    /// Telegram refused for good (message gone, bad reply, invalid text); retrying
    /// won't help.
    #[error("telegram refused the request: {0}")]
    Rejected(String),
    /// Telegram could not be reached, or the connection broke; worth retrying.
    #[error("telegram is unavailable: {0}")]
    Unavailable(String),
}

/// The Telegram side of the bridge.
pub trait TelegramGateway: Send + Sync + 'static {
    /// Posts `text` to `target`, as a reply to `reply_to` when given; returns Telegram's id
    /// of the new message. A text over [`TextLimit::Message`] is refused. `key` identifies this send (Telegram's `random_id`): a second
    /// send with the same key posts nothing and answers [`GatewayError::AlreadySent`].
    ///
    /// # Errors
    /// [`GatewayError`]; a flood wait means nothing was posted.
    fn send_message(
        &self,
        target: TelegramTarget,
        text: &str,
        reply_to: Option<i64>,
        key: i64,
    ) -> impl Future<Output = Result<i64, GatewayError>> + Send;

    /// Posts `file` to `target` with `caption`, as a reply to `reply_to` when given;
    /// returns Telegram's id of the new message. A caption over [`TextLimit::Caption`]
    /// and a file over Telegram's limits ([`crate::media`]) are refused. `key` as for
    /// [`Self::send_message`].
    ///
    /// # Errors
    /// [`GatewayError`]; a flood wait means nothing was posted.
    fn send_file(
        &self,
        target: TelegramTarget,
        file: OutgoingFile<'_>,
        caption: &str,
        reply_to: Option<i64>,
        key: i64,
    ) -> impl Future<Output = Result<i64, GatewayError>> + Send;

    /// The bytes of the file message `message_id` of supergroup `chat_id` carries.
    ///
    /// # Errors
    /// [`GatewayError::Rejected`] when the message is gone or carries no file;
    /// otherwise [`GatewayError`].
    fn download_file(
        &self,
        chat_id: i64,
        message_id: i64,
    ) -> impl Future<Output = Result<Vec<u8>, GatewayError>> + Send;

    /// Waits for the next update. Updates not confirmed before a restart come again.
    ///
    /// # Errors
    /// [`GatewayError::Unavailable`] when the connection broke,
    /// [`GatewayError::FloodWait`] when Telegram asks to wait before fetching more,
    /// [`GatewayError::Unauthorized`] when the account was signed out.
    fn next_update(&self) -> impl Future<Output = Result<Delivery, GatewayError>> + Send;

    /// Replaces the text of message `message_id` in supergroup `chat_id`, or its caption
    /// when it carries a file (a text over [`TextLimit::Message`], a caption over
    /// [`TextLimit::Caption`], is refused).
    ///
    /// # Errors
    /// [`GatewayError`].
    fn edit_message(
        &self,
        chat_id: i64,
        message_id: i64,
        text: &str,
    ) -> impl Future<Output = Result<(), GatewayError>> + Send;

    /// Deletes message `message_id` in supergroup `chat_id` (already gone is fine).
    ///
    /// # Errors
    /// [`GatewayError`].
    fn delete_message(
        &self,
        chat_id: i64,
        message_id: i64,
    ) -> impl Future<Output = Result<(), GatewayError>> + Send;

    /// The ids of the bridge's own messages in `target` whose text is exactly `text`,
    /// among messages `around ± OWN_MESSAGE_WINDOW`, newest first: how the copy of a
    /// send answered [`GatewayError::AlreadySent`] is found (a bot cannot search a chat's
    /// history, only read messages by id).
    ///
    /// # Errors
    /// [`GatewayError`].
    fn find_own_messages(
        &self,
        target: TelegramTarget,
        text: &str,
        around: i64,
    ) -> impl Future<Output = Result<Vec<i64>, GatewayError>> + Send;

    /// Keeps a position in supergroup `chat_id`'s update sequence from now on, unless
    /// one is kept already: a group linked while no update of it was ever handled would
    /// otherwise not be caught up after a restart (nothing says where to start from).
    ///
    /// # Errors
    /// [`GatewayError`].
    fn follow(&self, chat_id: i64) -> impl Future<Output = Result<(), GatewayError>> + Send;

    /// What the bot sees of supergroup `chat_id`.
    ///
    /// # Errors
    /// [`GatewayError::NoAccess`] when the bot is not a member (`USER_NOT_PARTICIPANT`,
    /// `CHANNEL_PRIVATE`); otherwise [`GatewayError`].
    fn access(&self, chat_id: i64)
    -> impl Future<Output = Result<ChatAccess, GatewayError>> + Send;

    /// Marks every update up to and including `delivery_id` as handled.
    ///
    /// # Errors
    /// [`GatewayError::Unavailable`] when the position could not be saved.
    fn confirm(&self, delivery_id: u64) -> impl Future<Output = Result<(), GatewayError>> + Send;
}
