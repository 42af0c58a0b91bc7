//! Broken rules: one [`ChatError`] variant per rule of PRODUCT.md section 4.
//!
//! The REST layer maps [`ChatError::kind`] to a status (404/403/409/422/413/415) and puts
//! [`ChatError::code`] and the `Display` text into `{"error": {"code", "message"}}`.

use crate::chat::rules::media::MediaKind;
use crate::text::TextFault;

/// The class of a broken rule, which decides the HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The chat, message or participant does not exist (404).
    NotFound,
    /// The actor may not do this (403).
    Forbidden,
    /// The chat's current state conflicts with the command (409).
    Conflict,
    /// The command's input is invalid (422).
    Invalid,
    /// A text or a file exceeds its limit (413).
    TooLarge,
    /// A file's MIME type is not allowed (415).
    UnsupportedMediaType,
}

impl ErrorKind {
    /// The HTTP status code the REST layer answers with.
    #[must_use]
    pub const fn http_status(self) -> u16 {
        match self {
            Self::NotFound => 404,
            Self::Forbidden => 403,
            Self::Conflict => 409,
            Self::Invalid => 422,
            Self::TooLarge => 413,
            Self::UnsupportedMediaType => 415,
        }
    }
}

/// A command the chat rejects, naming the rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChatError {
    // --- existence and lifecycle ---
    /// The chat does not exist.
    #[error("chat not found")]
    ChatNotFound,
    /// The chat to create already exists (for a direct chat: the pair already has one).
    #[error("chat already exists")]
    ChatAlreadyExists,
    /// The chat is archived: only restore or hard delete are possible.
    #[error("chat is archived: only restore or hard delete are possible")]
    ChatArchived,
    /// Restore of a chat that is not archived.
    #[error("chat is not archived")]
    ChatNotArchived,
    /// The chat was hard-deleted: nothing happens to it any more.
    #[error("chat was deleted")]
    ChatDeleted,

    // --- who may act ---
    /// The command must come from a user, not a service identity.
    #[error("this action must be performed by a user, not a service")]
    ServiceActorNotAllowed,
    /// The command must come from the bridge's service identity.
    #[error("only the Telegram bridge's service identity may post Telegram messages")]
    ServiceActorRequired,
    /// The actor is not a participant of the chat.
    #[error("only participants may do this")]
    NotAParticipant,
    /// The action is reserved to admins.
    #[error("only admins may do this")]
    NotAnAdmin,
    /// Observers read only.
    #[error("observers cannot write messages")]
    ObserverCannotWrite,
    /// Only a message's sender may edit it.
    #[error("only the sender may edit a message")]
    NotMessageSender,
    /// Only a message's sender or an admin may delete it.
    #[error("only the sender or an admin may delete a message")]
    NotSenderOrAdmin,

    // --- chat creation ---
    /// A direct chat's id must be `direct_chat_id` of its pair.
    #[error("a direct chat's id must be derived from its two participants")]
    DirectChatIdMismatch,
    /// A direct chat has exactly two distinct participants.
    #[error("a direct chat has exactly two participants")]
    DirectChatNeedsTwoParticipants,
    /// A company chat needs its company id.
    #[error("a company chat needs a company id")]
    CompanyIdRequired,

    // --- participants ---
    /// The user is already a participant.
    #[error("user is already a participant")]
    AlreadyParticipant,
    /// The target user is not a participant.
    #[error("participant not found")]
    ParticipantNotFound,
    /// A direct chat's two participants and their roles never change.
    #[error("a direct chat's participants are fixed")]
    DirectChatParticipantsFixed,
    /// Removing oneself is leaving.
    #[error("cannot remove yourself: leave the chat instead")]
    CannotRemoveSelf,
    /// The last admin cannot leave while others remain.
    #[error("the last admin cannot leave while other participants remain: hand over admin first")]
    LastAdminCannotLeave,
    /// The last admin cannot be demoted while others remain.
    #[error("the last admin cannot be demoted: promote another admin first")]
    LastAdminCannotBeDemoted,

    // --- messages ---
    /// The message does not exist in this chat.
    #[error("message not found")]
    MessageNotFound,
    /// The message id is already used in this chat.
    #[error("a message with this id already exists")]
    MessageAlreadyExists,
    /// Message ids must be TIMEUUIDs (UUID version 1).
    #[error("message id must be a TIMEUUID (UUID version 1)")]
    MessageIdNotTimeUuid,
    /// Replies must reference a message of this chat.
    #[error("the message replied to does not exist in this chat")]
    ReplyTargetNotFound,
    /// A deleted message cannot be edited.
    #[error("a deleted message cannot be edited")]
    MessageIsDeleted,
    /// Content is empty or only whitespace.
    #[error("message content must not be empty")]
    MessageEmpty,
    /// Content exceeds the limit (in characters).
    #[error("message content is {actual} characters, the limit is {max}")]
    MessageTooLong {
        /// The limit.
        max: usize,
        /// The content's length.
        actual: usize,
    },
    /// A chat name is empty or only whitespace.
    #[error("chat name must not be empty")]
    ChatNameEmpty,
    /// A chat name exceeds the limit (in characters).
    #[error("chat name is {actual} characters, the limit is {max}")]
    ChatNameTooLong {
        /// The limit.
        max: usize,
        /// The name's length.
        actual: usize,
    },

    // --- media ---
    /// A file exceeds its kind's limit (in bytes).
    #[error("the file is {actual} bytes, the limit for its kind is {max}")]
    AttachmentTooLarge {
        /// The limit.
        max: u64,
        /// The file's size.
        actual: u64,
    },
    /// A file of zero bytes.
    #[error("the file is empty")]
    AttachmentEmpty,
    /// The MIME type is not on the kind's allow-list.
    #[error("{mime_type} is not allowed for a {} message", kind.as_str())]
    MediaTypeNotAllowed {
        /// The kind asked for.
        kind: MediaKind,
        /// The MIME type's essence.
        mime_type: String,
    },
    /// A file name is empty or only whitespace.
    #[error("the file name must not be empty")]
    AttachmentNameEmpty,
    /// A file name exceeds the limit (in characters).
    #[error("the file name is {actual} characters, the limit is {max}")]
    AttachmentNameTooLong {
        /// The limit.
        max: usize,
        /// The name's length.
        actual: usize,
    },
    /// The attachment's object key is not one of this chat's uploads.
    #[error("the attachment does not name an upload of this chat")]
    AttachmentKeyInvalid,

    /// A text holds a character the text policy refuses ([`crate::text`]).
    #[error(transparent)]
    InvalidText(#[from] TextFault),

    // --- Telegram ---
    /// The chat is already linked to Telegram (unlink first).
    #[error("chat is already linked to Telegram")]
    TelegramAlreadyLinked,
    /// The chat is not linked to Telegram.
    #[error("chat is not linked to Telegram")]
    TelegramNotLinked,
    /// Only a supergroup can be linked (its Bot API id is `-100…`).
    #[error(
        "telegram_chat_id must be a supergroup's id (-100…): upgrade a basic group to a supergroup first; users cannot be linked"
    )]
    TelegramChatNotSupergroup,
    /// A forum topic is named by the positive id of the message that opened it.
    #[error("telegram_topic_id must be a forum topic's id (a positive message id; 1 is General)")]
    TelegramTopicInvalid,
    /// The Telegram message came from another supergroup or topic than the linked one.
    #[error("the Telegram message does not come from the linked supergroup or topic")]
    TelegramChatMismatch,
    /// This Telegram message was already received.
    #[error("this Telegram message was already received")]
    TelegramMessageAlreadyReceived,
}

impl ChatError {
    /// The class of the broken rule (decides the HTTP status).
    #[must_use]
    pub const fn kind(&self) -> ErrorKind {
        match self {
            Self::ChatNotFound
            | Self::ChatDeleted
            | Self::ParticipantNotFound
            | Self::MessageNotFound => ErrorKind::NotFound,
            Self::ServiceActorNotAllowed
            | Self::ServiceActorRequired
            | Self::NotAParticipant
            | Self::NotAnAdmin
            | Self::ObserverCannotWrite
            | Self::NotMessageSender
            | Self::NotSenderOrAdmin => ErrorKind::Forbidden,
            Self::ChatAlreadyExists
            | Self::ChatArchived
            | Self::ChatNotArchived
            | Self::AlreadyParticipant
            | Self::DirectChatParticipantsFixed
            | Self::LastAdminCannotLeave
            | Self::LastAdminCannotBeDemoted
            | Self::MessageAlreadyExists
            | Self::MessageIsDeleted
            | Self::TelegramAlreadyLinked
            | Self::TelegramNotLinked
            | Self::TelegramChatMismatch
            | Self::TelegramMessageAlreadyReceived => ErrorKind::Conflict,
            Self::DirectChatIdMismatch
            | Self::DirectChatNeedsTwoParticipants
            | Self::CompanyIdRequired
            | Self::CannotRemoveSelf
            | Self::MessageIdNotTimeUuid
            | Self::ReplyTargetNotFound
            | Self::MessageEmpty
            | Self::ChatNameEmpty
            | Self::InvalidText(_)
            | Self::TelegramChatNotSupergroup
            | Self::TelegramTopicInvalid
            | Self::AttachmentEmpty
            | Self::AttachmentNameEmpty
            | Self::AttachmentKeyInvalid => ErrorKind::Invalid,
            Self::MessageTooLong { .. }
            | Self::ChatNameTooLong { .. }
            | Self::AttachmentTooLarge { .. }
            | Self::AttachmentNameTooLong { .. } => ErrorKind::TooLarge,
            Self::MediaTypeNotAllowed { .. } => ErrorKind::UnsupportedMediaType,
        }
    }

    /// A stable snake_case code for the JSON error body (a wire contract).
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::ChatNotFound => "chat_not_found",
            Self::ChatAlreadyExists => "chat_already_exists",
            Self::ChatArchived => "chat_archived",
            Self::ChatNotArchived => "chat_not_archived",
            Self::ChatDeleted => "chat_deleted",
            Self::ServiceActorNotAllowed => "service_actor_not_allowed",
            Self::ServiceActorRequired => "service_actor_required",
            Self::NotAParticipant => "not_a_participant",
            Self::NotAnAdmin => "not_an_admin",
            Self::ObserverCannotWrite => "observer_cannot_write",
            Self::NotMessageSender => "not_message_sender",
            Self::NotSenderOrAdmin => "not_sender_or_admin",
            Self::DirectChatIdMismatch => "direct_chat_id_mismatch",
            Self::DirectChatNeedsTwoParticipants => "direct_chat_needs_two_participants",
            Self::CompanyIdRequired => "company_id_required",
            Self::AlreadyParticipant => "already_participant",
            Self::ParticipantNotFound => "participant_not_found",
            Self::DirectChatParticipantsFixed => "direct_chat_participants_fixed",
            Self::CannotRemoveSelf => "cannot_remove_self",
            Self::LastAdminCannotLeave => "last_admin_cannot_leave",
            Self::LastAdminCannotBeDemoted => "last_admin_cannot_be_demoted",
            Self::MessageNotFound => "message_not_found",
            Self::MessageAlreadyExists => "message_already_exists",
            Self::MessageIdNotTimeUuid => "message_id_not_time_uuid",
            Self::ReplyTargetNotFound => "reply_target_not_found",
            Self::MessageIsDeleted => "message_is_deleted",
            Self::MessageEmpty => "message_empty",
            Self::MessageTooLong { .. } => "message_too_long",
            Self::ChatNameEmpty => "chat_name_empty",
            Self::ChatNameTooLong { .. } => "chat_name_too_long",
            Self::AttachmentTooLarge { .. } => "attachment_too_large",
            Self::AttachmentEmpty => "attachment_empty",
            Self::MediaTypeNotAllowed { .. } => "media_type_not_allowed",
            Self::AttachmentNameEmpty => "attachment_name_empty",
            Self::AttachmentNameTooLong { .. } => "attachment_name_too_long",
            Self::AttachmentKeyInvalid => "attachment_key_invalid",
            Self::InvalidText(_) => "invalid_text",
            Self::TelegramAlreadyLinked => "telegram_already_linked",
            Self::TelegramNotLinked => "telegram_not_linked",
            Self::TelegramChatNotSupergroup => "telegram_chat_not_supergroup",
            Self::TelegramTopicInvalid => "telegram_topic_invalid",
            Self::TelegramChatMismatch => "telegram_chat_mismatch",
            Self::TelegramMessageAlreadyReceived => "telegram_message_already_received",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_and_kinds_map_to_statuses() {
        let all = [
            ChatError::ChatNotFound,
            ChatError::ChatAlreadyExists,
            ChatError::ChatArchived,
            ChatError::ChatNotArchived,
            ChatError::ChatDeleted,
            ChatError::ServiceActorNotAllowed,
            ChatError::ServiceActorRequired,
            ChatError::NotAParticipant,
            ChatError::NotAnAdmin,
            ChatError::ObserverCannotWrite,
            ChatError::NotMessageSender,
            ChatError::NotSenderOrAdmin,
            ChatError::DirectChatIdMismatch,
            ChatError::DirectChatNeedsTwoParticipants,
            ChatError::CompanyIdRequired,
            ChatError::AlreadyParticipant,
            ChatError::ParticipantNotFound,
            ChatError::DirectChatParticipantsFixed,
            ChatError::CannotRemoveSelf,
            ChatError::LastAdminCannotLeave,
            ChatError::LastAdminCannotBeDemoted,
            ChatError::MessageNotFound,
            ChatError::MessageAlreadyExists,
            ChatError::MessageIdNotTimeUuid,
            ChatError::ReplyTargetNotFound,
            ChatError::MessageIsDeleted,
            ChatError::MessageEmpty,
            ChatError::MessageTooLong { max: 1, actual: 2 },
            ChatError::ChatNameEmpty,
            ChatError::ChatNameTooLong { max: 1, actual: 2 },
            ChatError::AttachmentTooLarge { max: 1, actual: 2 },
            ChatError::AttachmentEmpty,
            ChatError::MediaTypeNotAllowed {
                kind: MediaKind::Image,
                mime_type: "text/html".into(),
            },
            ChatError::AttachmentNameEmpty,
            ChatError::AttachmentNameTooLong { max: 1, actual: 2 },
            ChatError::AttachmentKeyInvalid,
            ChatError::InvalidText(TextFault {
                field: "content",
                character: '\0',
                position: 1,
            }),
            ChatError::TelegramAlreadyLinked,
            ChatError::TelegramNotLinked,
            ChatError::TelegramChatNotSupergroup,
            ChatError::TelegramTopicInvalid,
            ChatError::TelegramChatMismatch,
            ChatError::TelegramMessageAlreadyReceived,
        ];
        let mut codes: Vec<_> = all.iter().map(ChatError::code).collect();
        assert!(
            codes
                .iter()
                .all(|c| c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'))
        );
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        for e in &all {
            assert!([404, 403, 409, 422, 413, 415].contains(&e.kind().http_status()));
            assert!(!e.to_string().is_empty());
        }
        assert_eq!(
            ChatError::MessageTooLong {
                max: 10,
                actual: 11
            }
            .kind(),
            ErrorKind::TooLarge
        );
        assert_eq!(ChatError::NotAParticipant.kind().http_status(), 403);
    }
}
