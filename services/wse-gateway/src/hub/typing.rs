//! Typing indicators: checked, rate-limited, and fanned out to the other participants
//! connected here. Nothing is stored.
//!
//! Who may type is the domain's rule ([`check_typist`]), applied to the role the hub
//! knows the user has now; the rate limit is the gateway's own.

use std::time::Instant;

use chat_domain::chat::check_typist;
use chat_domain::{ChatError, UserId};

use super::{Hub, Registry};
use crate::protocol::{Frame, TypingSignal};

/// Beyond this many remembered (user, chat) pairs, the expired ones are forgotten.
const TYPING_MEMORY: usize = 10_000;

/// Why a typing signal is not relayed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TypingRefused {
    /// The typing rule refuses the user: they do not participate in the chat (as far as
    /// the gateway knows), or only read it.
    #[error(transparent)]
    Rule(#[from] ChatError),
    /// The user's previous signal in this chat is too recent; dropped silently.
    #[error("typing signals are rate-limited")]
    TooFrequent,
}

impl Hub {
    /// Checks and rate-limits a typing signal from a connected user, then fans it out
    /// to the chat's other participants connected here. `Ok` means it should also go to
    /// the other replicas.
    ///
    /// # Errors
    /// [`TypingRefused`] when the user does not participate or typed too recently.
    pub fn typing(&self, signal: &TypingSignal, now: Instant) -> Result<(), TypingRefused> {
        let mut registry = self.lock();
        let role = registry.chats.get(&signal.chat_id).and_then(|entry| {
            entry
                .members
                .get(&signal.user_id)
                .and_then(|t| t.role_now(entry.deleted_at))
        });
        check_typist(role)?;
        let interval = self.settings.typing_interval;
        let key = (signal.user_id, signal.chat_id);
        if registry
            .last_typing
            .get(&key)
            .is_some_and(|last| now.saturating_duration_since(*last) < interval)
        {
            return Err(TypingRefused::TooFrequent);
        }
        if registry.last_typing.len() >= TYPING_MEMORY {
            registry
                .last_typing
                .retain(|_, last| now.saturating_duration_since(*last) < interval);
        }
        registry.last_typing.insert(key, now);
        self.fan_out_typing(&mut registry, signal);
        Ok(())
    }

    /// Fans out a typing signal that another replica relayed.
    pub fn relay_typing(&self, signal: &TypingSignal) {
        let mut registry = self.lock();
        self.fan_out_typing(&mut registry, signal);
    }

    fn fan_out_typing(&self, registry: &mut Registry, signal: &TypingSignal) {
        let Some(entry) = registry.chats.get(&signal.chat_id) else {
            return;
        };
        let deleted_at = entry.deleted_at;
        let others: Vec<UserId> = entry
            .members
            .iter()
            .filter(|(user, t)| **user != signal.user_id && t.active_now(deleted_at))
            .map(|(user, _)| *user)
            .collect();
        let frame = Frame::typing(signal);
        for user in others {
            self.deliver(registry, user, &frame);
        }
    }
}
