//! The frames the gateway sends: [`ServerFrame`], one variant per frame type, and
//! [`Frame`], one serialised for every recipient of a routed frame.
//!
//! Every frame serialises through one wire struct whose fields are declared in
//! alphabetical order (`id`, `p`, `t`, `ts`, `v`), and so are the payloads' fields: the
//! text is byte for byte what the former `json!` builders wrote (serde_json's map sorts
//! its keys), so no client or test sees a change.

use std::fmt;
use std::sync::Arc;

use chat_domain::{ChatId, Envelope, EventId, UserId};
use serde::{Serialize, Serializer};
use serde_json::Value;
use time::OffsetDateTime;

use super::{PROTOCOL_VERSION, TypingSignal};

/// One frame the gateway sends to a client.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerFrame<'a> {
    /// A chat event: `t` is its snake_case type, `p` the event (with `chat_id` and
    /// `version`), `id` the event id, `ts` its time.
    Event {
        /// The event id.
        id: EventId,
        /// The event's type, equal to the payload's `type`.
        event_type: &'a str,
        /// When it happened.
        at: OffsetDateTime,
        /// The event as JSON; a media message's `attachment` may carry a download `url`.
        payload: Value,
    },
    /// `user_typing`: someone is typing (ephemeral: no `id`, no chat version).
    UserTyping(&'a TypingSignal),
    /// `resync`: the gap is beyond the replay buffer; the client refetches the chat
    /// over REST.
    Resync {
        /// The chat to refetch.
        chat_id: ChatId,
    },
    /// `error`: a client frame was refused; the connection stays open.
    Error {
        /// The error code (`malformed_frame`, `not_a_participant`, ...).
        code: &'a str,
        /// What went wrong, in words.
        message: &'a str,
    },
}

impl<'a> ServerFrame<'a> {
    /// The frame of a chat event, with `download_url` as its file's `url` (media
    /// messages; see [`crate::downloads`]).
    ///
    /// # Errors
    /// When the event cannot be serialised (never for events of this crate's version).
    pub fn event(envelope: &'a Envelope, download_url: Option<&str>) -> serde_json::Result<Self> {
        let mut payload = serde_json::to_value(&envelope.payload)?;
        if let (Some(url), Some(attachment)) = (download_url, payload.get_mut("attachment")) {
            attachment["url"] = url.into();
        }
        Ok(Self::Event {
            id: envelope.event_id,
            event_type: &envelope.event_type,
            at: envelope.occurred_at,
            payload,
        })
    }
}

/// The JSON text of the frame.
///
/// Serialising a frame cannot fail (strings, ids, numbers and a JSON value), the same
/// guarantee `serde_json::Value`'s own `Display` relies on.
impl fmt::Display for ServerFrame<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&serde_json::to_string(self).map_err(|_| fmt::Error)?)
    }
}

impl Serialize for ServerFrame<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Event {
                id,
                event_type,
                at,
                payload,
            } => Wire {
                id: Some(*id),
                p: payload,
                t: event_type,
                ts: Some(rfc3339(*at)),
                v: PROTOCOL_VERSION,
            }
            .serialize(serializer),
            Self::UserTyping(signal) => Wire {
                id: None,
                p: TypingPayload {
                    chat_id: signal.chat_id,
                    name: signal.name.as_deref(),
                    user_id: signal.user_id,
                },
                t: "user_typing",
                ts: Some(rfc3339(signal.at)),
                v: PROTOCOL_VERSION,
            }
            .serialize(serializer),
            Self::Resync { chat_id } => {
                Wire::untimed("resync", ResyncPayload { chat_id: *chat_id }).serialize(serializer)
            }
            Self::Error { code, message } => {
                Wire::untimed("error", ErrorPayload { code, message }).serialize(serializer)
            }
        }
    }
}

/// The envelope of every frame; fields in alphabetical order (see the module docs).
#[derive(Serialize)]
struct Wire<'a, P> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<EventId>,
    p: P,
    t: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    ts: Option<String>,
    v: u32,
}

impl<'a, P> Wire<'a, P> {
    /// A frame about no event and no moment: no `id`, no `ts`.
    const fn untimed(t: &'a str, p: P) -> Self {
        Self {
            id: None,
            p,
            t,
            ts: None,
            v: PROTOCOL_VERSION,
        }
    }
}

/// The `p` of `user_typing`.
#[derive(Serialize)]
struct TypingPayload<'a> {
    chat_id: ChatId,
    name: Option<&'a str>,
    user_id: UserId,
}

/// The `p` of `resync`.
#[derive(Serialize)]
struct ResyncPayload {
    chat_id: ChatId,
}

/// The `p` of `error`.
#[derive(Serialize)]
struct ErrorPayload<'a> {
    code: &'a str,
    message: &'a str,
}

/// A time as RFC 3339; empty for a year RFC 3339 cannot write (never for a clock's).
fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// One frame ready to send: its JSON text (shared by every recipient) and, for chat
/// events, the chat and version it stands at (so a connection can skip duplicates).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The chat the frame is about.
    pub chat_id: ChatId,
    /// The chat version of a chat event; `None` for ephemeral frames.
    pub version: Option<u64>,
    /// The JSON text.
    pub text: Arc<str>,
}

impl Frame {
    /// The frame of a chat event, with `download_url` as its file's `url` (media
    /// messages; see [`crate::downloads`]).
    ///
    /// # Errors
    /// When the event cannot be serialised (never for events of this crate's version).
    pub fn event(envelope: &Envelope, download_url: Option<&str>) -> serde_json::Result<Self> {
        let frame = ServerFrame::event(envelope, download_url)?;
        Ok(Self {
            chat_id: envelope.chat_id,
            version: Some(envelope.version),
            text: serde_json::to_string(&frame)?.into(),
        })
    }

    /// The ephemeral `user_typing` frame.
    #[must_use]
    pub fn typing(signal: &TypingSignal) -> Self {
        Self {
            chat_id: signal.chat_id,
            version: None,
            text: ServerFrame::UserTyping(signal).to_string().into(),
        }
    }
}

#[cfg(test)]
mod tests {
    //! Each frame kind against the `json!` literal the gateway built before
    //! [`ServerFrame`], byte for byte.

    use chat_domain::testing::fixtures::{BOB, History, msg, png, send, send_media};
    use chat_domain::{Actor, EnvelopeMeta};
    use serde_json::json;
    use uuid::Uuid;

    use super::*;

    const CHAT: &str = "00000000-0000-0000-0000-000000000007";
    const USER: &str = "00000000-0000-0000-0000-000000000002";
    /// 2027-01-15T08:00:00Z.
    const AT: i64 = 1_800_000_000;

    fn at() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(AT).expect("a time")
    }

    fn envelope(history: History) -> Envelope {
        let event = history.events().pop().expect("an event");
        let meta = EnvelopeMeta {
            actor: Actor::user(BOB),
            correlation_id: Uuid::from_u128(2),
            causation_id: None,
        };
        let mut envelope = Envelope::new(event, &meta);
        envelope.occurred_at = at();
        envelope
    }

    fn signal(name: Option<&str>) -> TypingSignal {
        TypingSignal {
            chat_id: CHAT.parse().expect("chat id"),
            user_id: USER.parse().expect("user id"),
            name: name.map(str::to_owned),
            at: at(),
        }
    }

    /// A `message_sent` frame as the gateway built it before.
    fn message_sent(envelope: &Envelope) -> Value {
        json!({
            "t": "message_sent",
            "p": envelope.payload,
            "id": envelope.event_id,
            "ts": "2027-01-15T08:00:00Z",
            "v": 1,
        })
    }

    #[test]
    fn a_chat_event_is_its_envelope_s_event_id_and_time() {
        let envelope = envelope(History::group().run(send(BOB, msg(1), "hi")));
        let frame = ServerFrame::event(&envelope, None).expect("frame");
        let expected = message_sent(&envelope);
        assert_eq!(frame.to_string(), expected.to_string());
        let routed = Frame::event(&envelope, None).expect("frame");
        assert_eq!(&*routed.text, expected.to_string());
        assert_eq!(routed.chat_id, envelope.chat_id);
        assert_eq!(routed.version, Some(envelope.version));
    }

    #[test]
    fn a_media_message_s_attachment_carries_the_download_url() {
        let media = History::group().run(send_media(BOB, msg(1), "", png(1)));
        let envelope = envelope(media);
        let frame = ServerFrame::event(&envelope, Some("https://get/file")).expect("frame");
        let mut expected = message_sent(&envelope);
        expected["p"]["attachment"]["url"] = "https://get/file".into();
        assert_eq!(frame.to_string(), expected.to_string());
    }

    #[test]
    fn user_typing_names_the_typist_or_null() {
        for name in [Some("Alice"), None] {
            let signal = signal(name);
            let expected = json!({
                "t": "user_typing",
                "p": {"chat_id": CHAT, "user_id": USER, "name": name},
                "ts": "2027-01-15T08:00:00Z",
                "v": 1,
            });
            assert_eq!(
                ServerFrame::UserTyping(&signal).to_string(),
                expected.to_string()
            );
            let routed = Frame::typing(&signal);
            assert_eq!(&*routed.text, expected.to_string());
            assert_eq!(routed.version, None);
        }
    }

    #[test]
    fn resync_names_the_chat_only() {
        let frame = ServerFrame::Resync {
            chat_id: CHAT.parse().expect("chat id"),
        };
        let expected = json!({"t": "resync", "p": {"chat_id": CHAT}, "v": 1});
        assert_eq!(frame.to_string(), expected.to_string());
    }

    #[test]
    fn error_has_a_code_and_a_message() {
        let frame = ServerFrame::Error {
            code: "bad_resume",
            message: "resume entry \"x\" is not <chat_id>:<version>",
        };
        let expected = json!({
            "t": "error",
            "p": {"code": "bad_resume", "message": "resume entry \"x\" is not <chat_id>:<version>"},
            "v": 1,
        });
        assert_eq!(frame.to_string(), expected.to_string());
    }
}
