//! Download URLs in the frames of media messages: `p.attachment.url`, a pre-signed GET
//! of the file, signed once per event when it is routed (local computation, no store
//! round trip) and shared by every recipient. Only participants receive the frame, so
//! only participants get the URL. A frame replayed to a resuming client carries the URL
//! signed at routing time, which may have expired: the message's REST routes sign anew.

use std::sync::Arc;
use std::time::Duration;

use chat_domain::Envelope;
use chat_media::MediaStore;

/// Signs the download URL of an event's file.
#[derive(Debug, Clone)]
pub struct DownloadSigner {
    store: Arc<dyn MediaStore>,
    ttl: Duration,
}

impl DownloadSigner {
    /// URLs on `store`, valid for `ttl`.
    #[must_use]
    pub const fn new(store: Arc<dyn MediaStore>, ttl: Duration) -> Self {
        Self { store, ttl }
    }

    /// The download URL of the file `envelope`'s event sends, if it sends one (`None`
    /// too when it cannot be signed: the frame goes out without it, never not at all).
    pub async fn url(&self, envelope: &Envelope) -> Option<String> {
        let attachment = envelope.payload.attachment()?;
        self.store
            .presign_get(&attachment.key, &attachment.name, self.ttl)
            .await
            .map_err(|e| {
                tracing::warn!(error.message = %e, key = %attachment.key, "cannot sign a download URL");
            })
            .ok()
    }
}

#[cfg(test)]
mod tests {
    use chat_domain::testing::fixtures::{History, msg, png, send, send_media};
    use chat_domain::{EnvelopeMeta, UserId};
    use chat_media::MemoryMediaStore;

    use super::*;

    fn envelope(history: History) -> Envelope {
        let event = history.events().pop().expect("an event");
        let meta = EnvelopeMeta {
            actor: chat_domain::Actor::user(UserId::from_uuid(uuid::Uuid::from_u128(1))),
            correlation_id: uuid::Uuid::from_u128(2),
            causation_id: None,
        };
        Envelope::new(event, &meta)
    }

    #[tokio::test]
    async fn media_messages_get_a_url_and_nothing_else_does() {
        let signer =
            DownloadSigner::new(Arc::new(MemoryMediaStore::new()), Duration::from_secs(60));
        let bob = chat_domain::testing::fixtures::BOB;
        let image = History::group().run(send_media(bob, msg(1), "", png(1)));
        let key = png(1).attachment.key;
        let image = envelope(image);
        let url = signer.url(&image).await;
        assert_eq!(url, Some(format!("memory://get/{key}?ttl=60")));
        // The frame carries it beside the file's facts.
        let frame = crate::protocol::Frame::event(&image, url.as_deref()).expect("frame");
        let frame: serde_json::Value = serde_json::from_str(&frame.text).expect("json");
        assert_eq!(frame["p"]["attachment"]["url"], url.expect("url"));
        assert_eq!(frame["p"]["attachment"]["key"], key);
        let text = History::group().run(send(bob, msg(1), "hi"));
        assert_eq!(signer.url(&envelope(text)).await, None);
    }
}
