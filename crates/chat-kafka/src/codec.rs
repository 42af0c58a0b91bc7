//! Decoding records of the events topic.

use chat_domain::Envelope;
use rdkafka::Message;
use rdkafka::message::Headers;

/// One decoded event and where it came from.
#[derive(Debug, Clone)]
pub struct ReceivedEvent {
    /// The event with its envelope.
    pub envelope: Envelope,
    /// Record headers `(name, value)`: `event_type`, `traceparent`, `tracestate`.
    pub headers: Vec<(String, String)>,
    /// The partition it was read from.
    pub partition: i32,
    /// Its offset in that partition.
    pub offset: i64,
}

/// A record that is not an event of ours.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// No payload at all.
    #[error("the record has no payload")]
    Empty,
    /// The payload is not an envelope JSON.
    #[error("the payload is not an event envelope: {0}")]
    NotAnEnvelope(#[from] serde_json::Error),
    /// Envelope header and payload disagree (type, chat or version).
    #[error("the envelope does not match its payload (event {0})")]
    Inconsistent(String),
}

/// The `(name, value)` headers of a record (values as lossy UTF-8).
pub fn headers_of(message: &impl Message) -> Vec<(String, String)> {
    message
        .headers()
        .map(|hs| {
            hs.iter()
                .map(|h| {
                    let value = String::from_utf8_lossy(h.value.unwrap_or_default());
                    (h.key.to_owned(), value.into_owned())
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Decodes a record of the events topic.
///
/// # Errors
/// [`DecodeError`] when the record is empty, not an envelope, or inconsistent.
pub fn decode(message: &impl Message) -> Result<ReceivedEvent, DecodeError> {
    let payload = message.payload().ok_or(DecodeError::Empty)?;
    let envelope: Envelope = serde_json::from_slice(payload)?;
    if !envelope.is_consistent() {
        return Err(DecodeError::Inconsistent(envelope.event_id.to_string()));
    }
    Ok(ReceivedEvent {
        envelope,
        headers: headers_of(message),
        partition: message.partition(),
        offset: message.offset(),
    })
}
