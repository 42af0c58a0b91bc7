//! The chat summary view: one row of the caller's chat list.

use time::OffsetDateTime;

use super::{ApplyOutcome, guard};
use crate::{
    chat::{ChatEvent, ChatType, MessageSource, TelegramLink, events::ChatCreated},
    ids::{ChatId, CompanyId, MessageId, UserId},
};

/// How many characters of the last message the summary keeps as its preview.
pub const LAST_MESSAGE_PREVIEW_CHARS: usize = 200;

/// The most recent message of a chat, as the chat list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastMessage {
    /// The message.
    pub message_id: MessageId,
    /// Its position (the version that sent it).
    pub message_version: u64,
    /// Its sender; `None` for a Telegram message.
    pub sender_id: Option<UserId>,
    /// Its sender's display name.
    pub sender_name: Option<String>,
    /// The first [`LAST_MESSAGE_PREVIEW_CHARS`] characters; empty once deleted.
    pub preview: String,
    /// Where it was written.
    pub source: MessageSource,
    /// When it was sent (the chat list's `last_message_at`).
    pub created_at: OffsetDateTime,
    /// Whether it was edited.
    pub edited: bool,
    /// Whether it was deleted. A deleted last message stays the last message (shown as
    /// deleted); the summary does not go back to an earlier one.
    pub deleted: bool,
}

fn preview(content: &str) -> String {
    content.chars().take(LAST_MESSAGE_PREVIEW_CHARS).collect()
}

/// One chat's summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatSummary {
    /// The chat.
    pub chat_id: ChatId,
    /// Its type.
    pub chat_type: ChatType,
    /// Its name.
    pub name: Option<String>,
    /// The owning company.
    pub company_id: Option<CompanyId>,
    /// The creator.
    pub created_by: UserId,
    /// When it was created.
    pub created_at: OffsetDateTime,
    /// Whether it is archived.
    pub archived: bool,
    /// Whether it was hard-deleted (a tombstone: projectors delete the row, but the
    /// fold keeps the version so a redelivered older event cannot resurrect it).
    pub deleted: bool,
    /// The number of participants (set from the events' absolute counts).
    pub participant_count: u32,
    /// The most recent message.
    pub last_message: Option<LastMessage>,
    /// The Telegram link.
    pub telegram: Option<TelegramLink>,
    /// The version of the last applied event.
    pub version: u64,
}

impl ChatSummary {
    /// The summary right after `ChatCreated`.
    #[must_use]
    pub fn from_created(e: &ChatCreated) -> Self {
        Self {
            chat_id: e.chat_id,
            chat_type: e.chat_type,
            name: e.name.clone(),
            company_id: e.company_id,
            created_by: e.created_by,
            created_at: e.created_at,
            archived: false,
            deleted: false,
            participant_count: 0,
            last_message: None,
            telegram: None,
            version: e.version,
        }
    }

    /// Folds an event into an optional summary: `ChatCreated` creates it, other events
    /// update an existing one, events before creation are ignored.
    #[must_use]
    pub fn fold(view: Option<Self>, event: &ChatEvent) -> Option<Self> {
        match (view, event) {
            (None, ChatEvent::ChatCreated(e)) => Some(Self::from_created(e)),
            (None, _) => None,
            (Some(mut view), event) => {
                view.apply(event);
                Some(view)
            }
        }
    }

    /// Applies one event (idempotent: see the module docs).
    pub fn apply(&mut self, event: &ChatEvent) -> ApplyOutcome {
        if let Some(skipped) = guard(self.chat_id, self.version, event) {
            return skipped;
        }
        match event {
            ChatEvent::ChatCreated(_)
            | ChatEvent::MessagesMarkedAsRead(_)
            | ChatEvent::ParticipantRoleChanged(_) => {}
            ChatEvent::ChatUpdated(e) => {
                if let Some(name) = &e.name {
                    self.name = Some(name.clone());
                }
            }
            ChatEvent::ChatArchived(_) => self.archived = true,
            ChatEvent::ChatRestored(_) => self.archived = false,
            ChatEvent::ChatHardDeleted(_) => self.deleted = true,
            ChatEvent::MessageSent(e) => {
                self.last_message = Some(LastMessage {
                    message_id: e.message_id,
                    message_version: e.version,
                    sender_id: Some(e.sender_id),
                    sender_name: e.sender_name.clone(),
                    preview: preview(&e.content),
                    source: e.source,
                    created_at: e.created_at,
                    edited: false,
                    deleted: false,
                });
            }
            ChatEvent::TelegramMessageReceived(e) => {
                self.last_message = Some(LastMessage {
                    message_id: e.message_id,
                    message_version: e.version,
                    sender_id: None,
                    sender_name: Some(e.sender_name.clone()),
                    preview: preview(&e.content),
                    source: e.source,
                    created_at: e.created_at,
                    edited: false,
                    deleted: false,
                });
            }
            ChatEvent::MessageEdited(e) => {
                if let Some(last) = self
                    .last_message
                    .as_mut()
                    .filter(|l| l.message_id == e.message_id)
                {
                    last.preview = preview(&e.content);
                    last.edited = true;
                }
            }
            ChatEvent::MessageDeleted(e) => {
                if let Some(last) = self
                    .last_message
                    .as_mut()
                    .filter(|l| l.message_id == e.message_id)
                {
                    last.preview.clear();
                    last.deleted = true;
                }
            }
            ChatEvent::ParticipantAdded(e) => self.participant_count = e.participant_count,
            ChatEvent::ParticipantRemoved(e) => self.participant_count = e.participant_count,
            ChatEvent::ParticipantLeft(e) => self.participant_count = e.participant_count,
            ChatEvent::TelegramChatLinked(e) => {
                self.telegram = Some(TelegramLink {
                    telegram_chat_id: e.telegram_chat_id,
                    telegram_topic_id: e.telegram_topic_id,
                });
            }
            ChatEvent::TelegramChatUnlinked(_) => self.telegram = None,
            // A notice is the chat's last message; a move relinks.
            ChatEvent::TelegramLinkChanged(e) => {
                self.last_message = Some(LastMessage {
                    message_id: e.notice_id,
                    message_version: e.version,
                    sender_id: None,
                    sender_name: None,
                    preview: preview(&e.change.notice()),
                    source: MessageSource::System,
                    created_at: e.changed_at,
                    edited: false,
                    deleted: false,
                });
                self.telegram = self.telegram.map(|link| e.change.applied_to(link));
            }
        }
        self.version = event.version();
        ApplyOutcome::Applied
    }
}
