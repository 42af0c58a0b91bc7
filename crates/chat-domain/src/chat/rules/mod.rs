//! Rule helpers shared by the `decide` handlers: who may act, and input limits.
//!
//! Order of checks in every handler: identity (user or service), membership, role,
//! then the command's input. Authorisation comes first so a caller who may not act
//! learns nothing about the chat's messages from validation errors.

pub mod limits;
pub mod media;

use crate::{
    actor::Actor,
    chat::{
        errors::ChatError,
        facts::MessageFacts,
        state::ChatData,
        types::{ChatType, Role},
    },
    ids::{MessageId, UserId},
};

/// The acting user.
///
/// # Errors
/// [`ChatError::ServiceActorNotAllowed`] when a service issued the command.
pub(crate) const fn require_user(actor: &Actor) -> Result<UserId, ChatError> {
    match actor {
        Actor::User { id, .. } => Ok(*id),
        Actor::Service { .. } => Err(ChatError::ServiceActorNotAllowed),
    }
}

/// The writing rule on a role alone (`None`: not a participant), for callers that know
/// a user's role but not the chat's state (the gateway, through
/// [`crate::chat::typing::check_typist`]).
///
/// # Errors
/// [`ChatError::NotAParticipant`], [`ChatError::ObserverCannotWrite`].
pub(crate) fn require_writer_role(role: Option<Role>) -> Result<Role, ChatError> {
    match role {
        None => Err(ChatError::NotAParticipant),
        Some(role) if role.can_write() => Ok(role),
        Some(_) => Err(ChatError::ObserverCannotWrite),
    }
}

impl ChatData {
    /// The acting user and their role.
    pub(crate) fn require_participant(&self, actor: &Actor) -> Result<(UserId, Role), ChatError> {
        let user = require_user(actor)?;
        self.role_of(user)
            .map(|role| (user, role))
            .ok_or(ChatError::NotAParticipant)
    }

    /// The acting user, who must be an admin.
    pub(crate) fn require_admin(&self, actor: &Actor) -> Result<UserId, ChatError> {
        match self.require_participant(actor)? {
            (user, Role::Admin) => Ok(user),
            (_, Role::Member | Role::Observer) => Err(ChatError::NotAnAdmin),
        }
    }

    /// The acting user, who must be allowed to write (admin or member).
    pub(crate) fn require_writer(&self, actor: &Actor) -> Result<(UserId, Role), ChatError> {
        let user = require_user(actor)?;
        require_writer_role(self.role_of(user)).map(|role| (user, role))
    }

    /// Membership changes are impossible in a direct chat.
    pub(crate) const fn require_not_direct(&self) -> Result<(), ChatError> {
        match self.chat_type {
            ChatType::Direct => Err(ChatError::DirectChatParticipantsFixed),
            ChatType::Group | ChatType::Company => Ok(()),
        }
    }

    /// The participant count as carried by events.
    pub(crate) fn count_u32(&self, delta: isize) -> u32 {
        let n = self.participant_count().saturating_add_signed(delta);
        u32::try_from(n).unwrap_or(u32::MAX)
    }
}

impl MessageFacts {
    /// A new message's id: a TIMEUUID not used yet in this chat.
    pub(crate) fn require_new_message_id(&self, id: MessageId) -> Result<(), ChatError> {
        if !id.is_time_uuid() {
            return Err(ChatError::MessageIdNotTimeUuid);
        }
        if self.exists(id) {
            return Err(ChatError::MessageAlreadyExists);
        }
        Ok(())
    }

    /// A reply target, when given, must be a message of this chat (deleted ones count:
    /// they still exist, shown as deleted).
    pub(crate) fn require_reply_target(
        &self,
        reply_to: Option<MessageId>,
    ) -> Result<(), ChatError> {
        match reply_to {
            Some(id) if !self.exists(id) => Err(ChatError::ReplyTargetNotFound),
            Some(_) | None => Ok(()),
        }
    }
}
