//! Who issued a command: a platform user (from the JWT) or a trusted service identity.
//!
//! Users act for themselves. Services act for the platform: the Telegram bridge posts
//! Telegram messages (and mirrors their edits and deletes) on behalf of Telegram users,
//! and an operator service may hard-delete chats. Authenticating *which* service it is
//! happens in command-api; the domain only knows "a trusted service".

use serde::{Deserialize, Serialize};

use crate::ids::UserId;

/// The identity a command is issued under, also recorded in the event envelope.
///
/// JSON: `{"kind":"user","id":"<uuid>","name":"Ann"}` or
/// `{"kind":"service","name":"telegram-bridge"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Actor {
    /// A platform user.
    User {
        /// The user (JWT `sub`).
        id: UserId,
        /// Display name from the JWT `name` claim, when present; it travels in events
        /// because the user directory is another service.
        #[serde(default)]
        name: Option<String>,
    },
    /// A trusted service identity (e.g. `telegram-bridge`).
    Service {
        /// The service's name.
        name: String,
    },
}

impl Actor {
    /// A user without a display name.
    #[must_use]
    pub const fn user(id: UserId) -> Self {
        Self::User { id, name: None }
    }

    /// A user with a display name.
    #[must_use]
    pub fn named_user(id: UserId, name: impl Into<String>) -> Self {
        Self::User {
            id,
            name: Some(name.into()),
        }
    }

    /// A service identity.
    #[must_use]
    pub fn service(name: impl Into<String>) -> Self {
        Self::Service { name: name.into() }
    }

    /// The user id, when the actor is a user.
    #[must_use]
    pub const fn user_id(&self) -> Option<UserId> {
        match self {
            Self::User { id, .. } => Some(*id),
            Self::Service { .. } => None,
        }
    }

    /// The user's display name, when the actor is a user that has one.
    #[must_use]
    pub fn user_name(&self) -> Option<&str> {
        match self {
            Self::User { name, .. } => name.as_deref(),
            Self::Service { .. } => None,
        }
    }

    /// Whether the actor is a service identity.
    #[must_use]
    pub const fn is_service(&self) -> bool {
        matches!(self, Self::Service { .. })
    }
}
