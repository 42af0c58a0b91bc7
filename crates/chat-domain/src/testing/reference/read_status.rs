//! Read status: a user's read position and exact unread count in one chat.
//!
//! Definition (the same as `ChatData::unread_count`): the unread messages of a user are
//! the non-deleted messages not written by them, sent after they (last) joined and
//! after their read position. The fold keeps that exact from the events' facts alone:
//!
//! - `ParticipantAdded` (them): count starts at 0 (earlier history is not unread).
//! - `MessageSent` / `TelegramMessageReceived`: +1 for every active participant other
//!   than the sender (a projector: `unread = unread + 1 WHERE user <> sender`).
//! - `MessageDeleted`: -1 for those who had it unread: active, not its sender, and
//!   both their join version and read position before the message's `message_version`.
//! - `MessagesMarkedAsRead` (them): set to the event's `unread_count` (absolute).
//! - `ParticipantRemoved` / `ParticipantLeft` (them), `ChatHardDeleted`: inactive, 0.
//!
//! Every step keeps the count equal to the definition, so it never goes negative; the
//! property tests check it against the aggregate after every accepted command.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use super::{ApplyOutcome, guard};
use crate::{
    chat::ChatEvent,
    ids::{ChatId, MessageId, UserId},
};

/// One user's read status in one chat (`message_read_status` plus the unread count).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadStatus {
    /// The chat.
    pub chat_id: ChatId,
    /// The user.
    pub user_id: UserId,
    /// Whether the user currently participates.
    pub active: bool,
    /// The version that (last) added them.
    pub joined_version: u64,
    /// The last message they read (kept across leaving and rejoining).
    pub last_read_message_id: Option<MessageId>,
    /// That message's position.
    pub last_read_message_version: Option<u64>,
    /// When they last moved their read position.
    pub read_at: Option<OffsetDateTime>,
    /// Their exact unread count.
    pub unread_count: u64,
    /// The version of the last applied event.
    pub version: u64,
}

impl ReadStatus {
    /// The status of a user before any event of the chat.
    #[must_use]
    pub const fn new(chat_id: ChatId, user_id: UserId) -> Self {
        Self {
            chat_id,
            user_id,
            active: false,
            joined_version: 0,
            last_read_message_id: None,
            last_read_message_version: None,
            read_at: None,
            unread_count: 0,
            version: 0,
        }
    }

    /// Whether a message at `position` by `sender` counts as unread for this user.
    fn counts(&self, position: u64, sender: Option<UserId>) -> bool {
        let floor = self
            .last_read_message_version
            .map_or(self.joined_version, |r| r.max(self.joined_version));
        self.active && sender != Some(self.user_id) && position > floor
    }

    /// Applies one event (idempotent: see the module docs).
    pub fn apply(&mut self, event: &ChatEvent) -> ApplyOutcome {
        if let Some(skipped) = guard(self.chat_id, self.version, event) {
            return skipped;
        }
        let me = self.user_id;
        match event {
            ChatEvent::ParticipantAdded(e) if e.user_id == me => {
                self.active = true;
                self.joined_version = e.version;
                self.unread_count = 0;
            }
            ChatEvent::ParticipantRemoved(e) if e.user_id == me => self.deactivate(),
            ChatEvent::ParticipantLeft(e) if e.user_id == me => self.deactivate(),
            ChatEvent::ChatHardDeleted(_) => self.deactivate(),
            ChatEvent::MessageSent(e) => {
                if self.counts(e.version, Some(e.sender_id)) {
                    self.unread_count += 1;
                }
            }
            ChatEvent::TelegramMessageReceived(e) => {
                if self.counts(e.version, None) {
                    self.unread_count += 1;
                }
            }
            ChatEvent::TelegramLinkChanged(e) => {
                if self.counts(e.version, None) {
                    self.unread_count += 1;
                }
            }
            ChatEvent::MessageDeleted(e) => {
                if self.counts(e.message_version, e.sender_id) {
                    self.unread_count = self.unread_count.saturating_sub(1);
                }
            }
            ChatEvent::MessagesMarkedAsRead(e) if e.user_id == me => {
                self.last_read_message_id = Some(e.last_read_message_id);
                self.last_read_message_version = Some(e.last_read_message_version);
                self.read_at = Some(e.read_at);
                self.unread_count = e.unread_count;
            }
            ChatEvent::ParticipantAdded(_)
            | ChatEvent::ParticipantRemoved(_)
            | ChatEvent::ParticipantLeft(_)
            | ChatEvent::MessagesMarkedAsRead(_)
            | ChatEvent::ChatCreated(_)
            | ChatEvent::ChatUpdated(_)
            | ChatEvent::ChatArchived(_)
            | ChatEvent::ChatRestored(_)
            | ChatEvent::MessageEdited(_)
            | ChatEvent::ParticipantRoleChanged(_)
            | ChatEvent::TelegramChatLinked(_)
            | ChatEvent::TelegramChatUnlinked(_) => {}
        }
        self.version = event.version();
        ApplyOutcome::Applied
    }

    fn deactivate(&mut self) {
        self.active = false;
        self.unread_count = 0;
    }
}

/// The read statuses of every user who ever joined a chat (a projector's view of the
/// `(chat, *)` rows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatReadStatus {
    /// The chat.
    pub chat_id: ChatId,
    /// The version of the last applied event.
    pub version: u64,
    /// Per user.
    pub users: BTreeMap<UserId, ReadStatus>,
}

impl ChatReadStatus {
    /// No users yet.
    #[must_use]
    pub const fn new(chat_id: ChatId) -> Self {
        Self {
            chat_id,
            version: 0,
            users: BTreeMap::new(),
        }
    }

    /// A user's exact unread count (0 if not a participant).
    #[must_use]
    pub fn unread_count(&self, user: UserId) -> u64 {
        self.users
            .get(&user)
            .filter(|s| s.active)
            .map_or(0, |s| s.unread_count)
    }

    /// Applies one event to every user's status (creating a user's status when they
    /// are added).
    pub fn apply(&mut self, event: &ChatEvent) -> ApplyOutcome {
        if let Some(skipped) = guard(self.chat_id, self.version, event) {
            return skipped;
        }
        if let ChatEvent::ParticipantAdded(e) = event {
            self.users
                .entry(e.user_id)
                .or_insert_with(|| ReadStatus::new(e.chat_id, e.user_id));
        }
        for status in self.users.values_mut() {
            status.apply(event);
        }
        self.version = event.version();
        ApplyOutcome::Applied
    }
}
