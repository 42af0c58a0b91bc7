//! The event envelope: the Kafka wire contract for every service.
//!
//! One Kafka record on topic `chat.events` (key = chat id) holds one [`Envelope`] as
//! JSON; the W3C trace context travels in Kafka headers, not here. Example:
//!
//! ```json
//! {
//!   "event_id": "…", "event_type": "message_sent", "schema_version": 1,
//!   "chat_id": "…", "version": 7, "occurred_at": "2025-01-02T03:04:05Z",
//!   "actor": {"kind": "user", "id": "…", "name": "Ann"},
//!   "correlation_id": "…", "causation_id": null,
//!   "payload": {"type": "message_sent", "chat_id": "…", "version": 7, …}
//! }
//! ```
//!
//! The payload repeats `type`, `chat_id` and `version`, so it stands alone as the
//! WebSocket frame's `p`. Building envelopes is pure: ids and time are inputs.
//!
//! A consumer that must survive event types newer than itself reads
//! `Envelope<serde_json::Value>` first, looks at `event_type` (e.g. with
//! [`crate::projection_kind`], `None` = unknown: skip), then decodes the payload.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    actor::Actor,
    chat::{ChatCommand, ChatEvent, SCHEMA_VERSION},
    ids::{ChatId, EventId},
};

/// An event with its metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope<E = ChatEvent> {
    /// Unique id of the event (see [`EventId::for_event`]).
    pub event_id: EventId,
    /// snake_case event type (`message_sent`, ...), equal to the payload's `type`.
    pub event_type: String,
    /// [`SCHEMA_VERSION`] of the payload.
    #[serde(default = "default_schema_version")]
    pub schema_version: u32,
    /// The chat (the Kafka record key).
    pub chat_id: ChatId,
    /// The chat's version after this event.
    pub version: u64,
    /// When it happened (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: OffsetDateTime,
    /// Who caused it.
    pub actor: Actor,
    /// Ties together everything caused by one request (the request id).
    pub correlation_id: Uuid,
    /// What directly caused it (the command's or a prior event's id), if known.
    #[serde(default)]
    pub causation_id: Option<Uuid>,
    /// The event.
    pub payload: E,
}

const fn default_schema_version() -> u32 {
    SCHEMA_VERSION
}

/// The metadata shared by every event of one decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvelopeMeta {
    /// Who issued the command.
    pub actor: Actor,
    /// The request's correlation id.
    pub correlation_id: Uuid,
    /// The command's id (or the event that triggered it), if any.
    pub causation_id: Option<Uuid>,
}

impl EnvelopeMeta {
    /// The metadata of the events a command decides to: its actor, the request's
    /// correlation id, and the command's id (if the caller gave it one) as causation.
    #[must_use]
    pub fn for_command(
        command: &ChatCommand,
        correlation_id: Uuid,
        causation_id: Option<Uuid>,
    ) -> Self {
        Self {
            actor: command.actor().clone(),
            correlation_id,
            causation_id,
        }
    }
}

impl Envelope<ChatEvent> {
    /// Wraps one event, with the deterministic [`EventId::for_event`] id and the
    /// event's own time.
    #[must_use]
    pub fn new(event: ChatEvent, meta: &EnvelopeMeta) -> Self {
        let event_id = EventId::for_event(event.chat_id(), event.version());
        Self::with_event_id(event, event_id, meta)
    }

    /// Wraps one event with a caller-chosen event id.
    #[must_use]
    pub fn with_event_id(event: ChatEvent, event_id: EventId, meta: &EnvelopeMeta) -> Self {
        Self {
            event_id,
            event_type: event.event_type().to_owned(),
            schema_version: SCHEMA_VERSION,
            chat_id: event.chat_id(),
            version: event.version(),
            occurred_at: event.occurred_at(),
            actor: meta.actor.clone(),
            correlation_id: meta.correlation_id,
            causation_id: meta.causation_id,
            payload: event,
        }
    }

    /// Wraps every event of one decision, in order.
    #[must_use]
    pub fn wrap_all(events: impl IntoIterator<Item = ChatEvent>, meta: &EnvelopeMeta) -> Vec<Self> {
        events.into_iter().map(|e| Self::new(e, meta)).collect()
    }

    /// Whether the header fields agree with the payload (type, chat id, version): a
    /// consumer's sanity check on records it did not produce.
    #[must_use]
    pub fn is_consistent(&self) -> bool {
        self.event_type == self.payload.event_type()
            && self.chat_id == self.payload.chat_id()
            && self.version == self.payload.version()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::fixtures::{ALICE, BOB, CHAT, History, by, msg, send};

    fn meta() -> EnvelopeMeta {
        EnvelopeMeta {
            actor: by(BOB),
            correlation_id: Uuid::from_u128(1),
            causation_id: None,
        }
    }

    #[test]
    fn a_decision_wraps_into_ordered_consistent_envelopes() {
        let events = History::new()
            .run(crate::testing::fixtures::create_group(ALICE, CHAT, &[BOB]))
            .run(send(BOB, msg(1), "hi"))
            .events();
        let envelopes = Envelope::wrap_all(events.clone(), &meta());
        assert_eq!(envelopes.len(), events.len());
        for (n, env) in (1_u64..).zip(&envelopes) {
            assert!(env.is_consistent());
            assert_eq!(
                (env.version, env.chat_id, env.schema_version),
                (n, CHAT, SCHEMA_VERSION)
            );
            assert_eq!(env.event_id, EventId::for_event(CHAT, n));
            assert_eq!(env.occurred_at, env.payload.occurred_at());
        }
        assert_eq!(envelopes[3].event_type, "message_sent");
        let command = send(BOB, msg(2), "x").into();
        assert_eq!(
            EnvelopeMeta::for_command(&command, Uuid::from_u128(1), None),
            meta()
        );
    }

    #[test]
    fn a_tampered_header_is_detected() {
        let events = History::group().events();
        let mut env = Envelope::new(events[0].clone(), &meta());
        env.version = 9;
        assert!(!env.is_consistent());
    }

    #[test]
    fn a_missing_schema_version_reads_as_the_current_one() {
        let env = Envelope::new(History::group().events()[0].clone(), &meta());
        let mut value = serde_json::to_value(&env).unwrap();
        value.as_object_mut().unwrap().remove("schema_version");
        let back: Envelope = serde_json::from_value(value).unwrap();
        assert_eq!(back, env);
    }
}
