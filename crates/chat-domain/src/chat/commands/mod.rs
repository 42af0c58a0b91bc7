//! Commands: what a caller asks the chat to do.
//!
//! Each command carries the acting identity (`actor`), the time of the request (`at`)
//! and every id it needs (chat id for creation, message id for sends): the aggregate
//! never reads a clock or generates an id. Commands other than `CreateChat` apply to
//! the chat whose state the caller loaded, so they carry no chat id.
//!
//! Each command is one line of the command table below and its struct; its rule and
//! what it needs looked up are its `Decide` impl, beside the rules of its concern in
//! `decide/`. The table generates every per-command match (`table`).

mod table;

use time::OffsetDateTime;

use crate::{
    actor::Actor,
    chat::attachment::Media,
    chat::decide::Decide,
    chat::errors::ChatError,
    chat::events::{ChatEvent, TelegramLinkChange},
    chat::facts::{FactsQuery, MessageFacts},
    chat::state::ChatState,
    chat::types::{ChatType, Role},
    ids::{ChatId, CompanyId, MessageId, UserId},
};

// The command table: each command's variant and name, once. Its rule, and what it needs
// looked up, are its `Decide` impl in `decide/`.
table::chat_commands! {
    /// Create a chat.
    CreateChat = "create_chat";
    /// Rename or otherwise update a chat.
    UpdateChat = "update_chat";
    /// Archive a chat.
    ArchiveChat = "archive_chat";
    /// Restore an archived chat.
    RestoreChat = "restore_chat";
    /// Permanently delete a chat.
    HardDeleteChat = "hard_delete_chat";
    /// Send a message.
    SendMessage = "send_message";
    /// Edit a message.
    EditMessage = "edit_message";
    /// Delete a message.
    DeleteMessage = "delete_message";
    /// Move the actor's read position forward.
    MarkMessagesRead = "mark_messages_read";
    /// Add a participant.
    AddParticipant = "add_participant";
    /// Remove another participant.
    RemoveParticipant = "remove_participant";
    /// Leave the chat.
    LeaveChat = "leave_chat";
    /// Change a participant's role.
    ChangeParticipantRole = "change_participant_role";
    /// Link the chat to a Telegram supergroup.
    LinkTelegram = "link_telegram";
    /// Unlink the chat from Telegram.
    UnlinkTelegram = "unlink_telegram";
    /// Post a message that arrived from the linked Telegram supergroup.
    ReceiveTelegramMessage = "receive_telegram_message";
    /// Record what the bridge found of the link (lost, regained, moved).
    ReportTelegramLinkChange = "report_telegram_link_change";
    /// A typing indicator: checked, never stored (decides to no events).
    Typing = "typing";
}

/// Create a chat. Emits `ChatCreated`, then one `ParticipantAdded` per initial
/// participant: the creator first (admin), then `participants` in id order (members;
/// in a direct chat both are admins).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateChat {
    /// The creator (must be a user).
    pub actor: Actor,
    /// Request time.
    pub at: OffsetDateTime,
    /// The new chat's id; for a direct chat it must be [`crate::direct_chat_id_at`] of the
    /// pair (some generation).
    pub chat_id: ChatId,
    /// The chat's type.
    pub chat_type: ChatType,
    /// Optional name, 1..=255 characters when present.
    pub name: Option<String>,
    /// The owning company; required for `company` chats.
    pub company_id: Option<CompanyId>,
    /// The other initial participants. Duplicates and the creator are ignored; a direct
    /// chat needs exactly one other user here.
    pub participants: Vec<UserId>,
}

/// Update a chat's metadata (admins only). `None` fields stay unchanged; a command that
/// changes nothing decides to no events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateChat {
    /// The acting admin.
    pub actor: Actor,
    /// Request time.
    pub at: OffsetDateTime,
    /// New name, 1..=255 characters.
    pub name: Option<String>,
}

/// Archive a chat (admins only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveChat {
    /// The acting admin.
    pub actor: Actor,
    /// Request time.
    pub at: OffsetDateTime,
}

/// Restore an archived chat (admins only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreChat {
    /// The acting admin.
    pub actor: Actor,
    /// Request time.
    pub at: OffsetDateTime,
}

/// Permanently delete a chat, active or archived (an admin or a service identity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HardDeleteChat {
    /// The acting admin or service.
    pub actor: Actor,
    /// Request time.
    pub at: OffsetDateTime,
}

/// Send a message (admins and members).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendMessage {
    /// The sender; its display name travels in the event.
    pub actor: Actor,
    /// Request time (the message's `created_at`).
    pub at: OffsetDateTime,
    /// The new message's id: a TIMEUUID (UUID v1) made by the caller, unique in the chat.
    pub message_id: MessageId,
    /// Text, 1..=10,000 characters, not only whitespace; with `media`, the caption,
    /// which may be empty.
    pub content: String,
    /// A message of this chat being replied to.
    pub reply_to: Option<MessageId>,
    /// The file of a media message (an object of this chat, already stored); `None`
    /// for text.
    pub media: Option<Media>,
}

/// Edit a message (its sender only; for Telegram messages, the service identity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditMessage {
    /// The editor.
    pub actor: Actor,
    /// Request time (`edited_at`).
    pub at: OffsetDateTime,
    /// The message to edit.
    pub message_id: MessageId,
    /// New text, same limits as a send (a media message's caption may become empty;
    /// its file never changes). Unchanged text decides to no events.
    pub content: String,
}

/// Delete a message (its sender or an admin; for Telegram messages, also the service).
/// Deleting an already deleted message decides to no events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteMessage {
    /// The deleter.
    pub actor: Actor,
    /// Request time (`deleted_at`).
    pub at: OffsetDateTime,
    /// The message to delete.
    pub message_id: MessageId,
}

/// Mark every message up to and including `up_to` as read by the actor. A position that
/// is not later than the actor's current one decides to no events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkMessagesRead {
    /// The reader (any participant, observers included).
    pub actor: Actor,
    /// Request time (`read_at`).
    pub at: OffsetDateTime,
    /// The last message read; must be a message of this chat.
    pub up_to: MessageId,
}

/// Add a participant (admins only; not in direct chats).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddParticipant {
    /// The acting admin.
    pub actor: Actor,
    /// Request time (`joined_at`).
    pub at: OffsetDateTime,
    /// The user to add.
    pub user_id: UserId,
    /// The new participant's role.
    pub role: Role,
}

/// Remove another participant (admins only; not in direct chats; use [`LeaveChat`] for
/// oneself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoveParticipant {
    /// The acting admin.
    pub actor: Actor,
    /// Request time.
    pub at: OffsetDateTime,
    /// The participant to remove.
    pub user_id: UserId,
}

/// Leave the chat (anyone, except the last admin while others remain; not in direct chats).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaveChat {
    /// The leaving participant.
    pub actor: Actor,
    /// Request time.
    pub at: OffsetDateTime,
}

/// Change a participant's role (admins only; not in direct chats). Setting the current
/// role decides to no events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeParticipantRole {
    /// The acting admin.
    pub actor: Actor,
    /// Request time.
    pub at: OffsetDateTime,
    /// The participant whose role changes (may be the actor).
    pub user_id: UserId,
    /// The new role.
    pub role: Role,
}

/// Link the chat to a Telegram supergroup, optionally one forum topic (admins only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkTelegram {
    /// The acting admin.
    pub actor: Actor,
    /// Request time.
    pub at: OffsetDateTime,
    /// The supergroup's id.
    pub telegram_chat_id: i64,
    /// The forum topic's id, if linking one topic.
    pub telegram_topic_id: Option<i64>,
}

/// Unlink the chat from Telegram (admins only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnlinkTelegram {
    /// The acting admin.
    pub actor: Actor,
    /// Request time.
    pub at: OffsetDateTime,
}

/// A message that arrived in the linked Telegram supergroup (service identity only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiveTelegramMessage {
    /// The bridge's service identity.
    pub actor: Actor,
    /// When it was received (the message's `created_at`).
    pub at: OffsetDateTime,
    /// The new message's id: a TIMEUUID made by the bridge, unique in the chat.
    pub message_id: MessageId,
    /// The supergroup it came from; must match the link.
    pub telegram_chat_id: i64,
    /// The forum topic it came from; must match the link when the link names a topic.
    pub telegram_topic_id: Option<i64>,
    /// Telegram's message id (unique per supergroup; a repeat is rejected).
    pub telegram_message_id: i64,
    /// The Telegram author's user id (need not be a participant).
    pub telegram_user_id: i64,
    /// The Telegram author's display name.
    pub sender_name: String,
    /// Text, same limits as a send (a caption, possibly empty, with `media`).
    pub content: String,
    /// A message of this chat being replied to (mapped by the bridge).
    pub reply_to: Option<MessageId>,
    /// The Telegram photo, document or voice note, copied into this chat's objects by
    /// the bridge; `None` for text.
    pub media: Option<Media>,
}

/// What the bridge found of the link (service identity only): the bot lost or regained
/// the group, or Telegram moved a basic group to its supergroup. The chat shows a notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportTelegramLinkChange {
    /// The bridge's service identity.
    pub actor: Actor,
    /// When it was found.
    pub at: OffsetDateTime,
    /// The notice's id: a TIMEUUID, unique in the chat.
    pub notice_id: MessageId,
    /// The group the link names now; must match the link.
    pub telegram_chat_id: i64,
    /// What happened.
    pub change: TelegramLinkChange,
}

/// A typing indicator. Decides to no events (ephemeral); see [`crate::chat::check_typist`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Typing {
    /// The typing participant.
    pub actor: Actor,
    /// Request time.
    pub at: OffsetDateTime,
}
