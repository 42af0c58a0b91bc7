//! The WebSocket protocol (`GET /wse`): server frames, client messages, close codes.
//!
//! Every server frame ([`ServerFrame`]) is one JSON text message
//! `{"t", "p", "id", "ts", "v"}`: `t` the frame type, `p` its payload, `id` the event id
//! (chat events only), `ts` the time (RFC 3339) and `v` the protocol version
//! [`PROTOCOL_VERSION`]. Frame types:
//!
//! | `t` | `p` |
//! |---|---|
//! | a chat event's snake_case type (`message_sent`, `chat_updated`, ...) | the event, with `chat_id` and `version`; a media message's `attachment` has a download `url` |
//! | `user_typing` | `{chat_id, user_id, name}` (ephemeral) |
//! | `resync` | `{chat_id}`: the gap is beyond the replay buffer; refetch over REST |
//! | `error` | `{code, message}`; the connection stays open |
//!
//! Error codes: `malformed_frame`, `unsupported_frame` (binary), `bad_resume`,
//! `not_a_participant`, `observer_cannot_write`, `rate_limited` (the frame was dropped:
//! over the connection's frame rate).
//!
//! Client messages are JSON text tagged by `t` ([`ClientMessage`]):
//! `{"t":"typing","chat_id":..}` and `{"t":"resume","chats":{"<chat_id>":<version>}}`;
//! the query `?resume=<chat_id>:<version>,...` is a resume at connect. A resume gives,
//! per chat, every event after that version, in order, then the live stream, with no
//! duplicates; or `resync` when the replay buffer does not reach back that far.
//!
//! Close codes (the reason text says the same in words):
//!
//! | code | when | what the client does |
//! |---|---|---|
//! | 4401 | the token is missing, invalid, expired, or not a user's | get a new token |
//! | 4408 | nothing heard from the client within the idle timeout | reconnect with resume |
//! | 1013 | the client read too slowly and its queue overflowed | reconnect with resume |
//! | 1013 | the participant read model did not answer at connect | reconnect later |
//! | 1012 | the gateway is restarting | reconnect with resume |
//! | 4429 | frames kept coming over the frame rate after refusals | slow down, reconnect later |
//! | 1009 | a client frame was larger than the limit (64 KiB by default) | send smaller frames |
//!
//! Over the replica's connection limit the upgrade itself is refused with HTTP 503, over
//! the user's (connections per user on a replica) with HTTP 429 `too_many_user_connections`;
//! both say `Retry-After`. A request that is not a WebSocket upgrade gets HTTP 400.

mod server_frame;

use std::collections::HashMap;

use actix_ws::{CloseCode, CloseReason};
use chat_domain::{ChatId, UserId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub use server_frame::{Frame, ServerFrame};

/// The `v` of every frame.
pub const PROTOCOL_VERSION: u32 = 1;

/// Someone is typing in a chat (ephemeral: never stored, never versioned).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypingSignal {
    /// The chat.
    pub chat_id: ChatId,
    /// Who is typing.
    pub user_id: UserId,
    /// Their display name, when their token has one.
    #[serde(default)]
    pub name: Option<String>,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// What a client may send.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum ClientMessage {
    /// The user is typing in `chat_id`.
    Typing {
        /// The chat.
        chat_id: ChatId,
    },
    /// Replay what was missed: the last version seen, per chat.
    Resume {
        /// Chat id to the last version the client saw.
        chats: HashMap<ChatId, u64>,
    },
}

/// Parses `?resume=<chat_id>:<version>,...`.
///
/// # Errors
/// A message naming the first malformed entry.
pub fn parse_resume(query: &str) -> Result<HashMap<ChatId, u64>, String> {
    query
        .split(',')
        .filter(|entry| !entry.trim().is_empty())
        .map(|entry| {
            let (chat, version) = entry
                .split_once(':')
                .ok_or_else(|| format!("resume entry {entry:?} is not <chat_id>:<version>"))?;
            let chat = chat
                .trim()
                .parse::<ChatId>()
                .map_err(|_| format!("resume entry {entry:?}: bad chat id"))?;
            let version = version
                .trim()
                .parse::<u64>()
                .map_err(|_| format!("resume entry {entry:?}: bad version"))?;
            Ok((chat, version))
        })
        .collect()
}

/// Why the gateway closes a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseWhy {
    /// Bad, expired or missing token (4401).
    Unauthenticated,
    /// Nothing heard within the idle timeout (4408).
    Idle,
    /// The client's outgoing buffer overflowed (1013).
    SlowConsumer,
    /// The gateway is shutting down (1012).
    Restart,
    /// A dependency did not answer at connect (1013).
    Unavailable,
    /// Frames kept coming over the rate after refusals (4429).
    RateLimited,
    /// A client frame was over the size limit (1009).
    TooBig,
}

impl CloseWhy {
    /// The close frame's code and reason.
    #[must_use]
    pub fn reason(self, detail: Option<&str>) -> CloseReason {
        let (code, text) = match self {
            Self::Unauthenticated => (4401, "unauthenticated"),
            Self::Idle => (4408, "idle timeout: reconnect with resume"),
            Self::SlowConsumer => (1013, "too slow: reconnect with resume"),
            Self::Restart => (1012, "service restart: reconnect with resume"),
            Self::Unavailable => (1013, "temporarily unavailable: reconnect later"),
            Self::RateLimited => (4429, "too many frames: slow down"),
            Self::TooBig => (1009, "frame too large"),
        };
        let description = match detail {
            // A close reason must fit a control frame (123 bytes).
            Some(detail) => truncate(&format!("{text}: {detail}"), 120),
            None => text.to_owned(),
        };
        CloseReason {
            code: CloseCode::from(code),
            description: Some(description),
        }
    }
}

fn truncate(text: &str, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_messages_parse_and_unknown_ones_do_not() {
        let chat = ChatId::from_uuid(uuid::Uuid::from_u128(7));
        let typing: ClientMessage =
            serde_json::from_str(&format!(r#"{{"t":"typing","chat_id":"{chat}"}}"#))
                .expect("typing");
        assert_eq!(typing, ClientMessage::Typing { chat_id: chat });
        let resume: ClientMessage =
            serde_json::from_str(&format!(r#"{{"t":"resume","chats":{{"{chat}":4}}}}"#))
                .expect("resume");
        assert_eq!(
            resume,
            ClientMessage::Resume {
                chats: HashMap::from([(chat, 4)])
            }
        );
        for bad in [r#"{"t":"dance"}"#, r#"{"t":"typing"}"#, "[]", "nope"] {
            assert!(serde_json::from_str::<ClientMessage>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn resume_query_parses_and_reports_the_bad_entry() {
        let a = ChatId::from_uuid(uuid::Uuid::from_u128(1));
        let b = ChatId::from_uuid(uuid::Uuid::from_u128(2));
        assert_eq!(
            parse_resume(&format!("{a}:3,{b}:0")),
            Ok(HashMap::from([(a, 3), (b, 0)]))
        );
        assert_eq!(parse_resume(""), Ok(HashMap::new()));
        assert!(parse_resume("x:1").is_err());
        assert!(parse_resume(&format!("{a}:-1")).is_err());
        assert!(parse_resume(&format!("{a}")).is_err());
    }

    #[test]
    fn close_reasons_fit_a_control_frame() {
        let reason = CloseWhy::Unauthenticated.reason(Some(&"x".repeat(500)));
        assert_eq!(reason.code, CloseCode::from(4401));
        assert!(reason.description.expect("text").len() <= 123);
        assert_eq!(
            CloseWhy::SlowConsumer.reason(None).code,
            CloseCode::from(1013)
        );
    }
}
