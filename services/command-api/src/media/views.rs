//! Messages as the API shows them: a media message's file with a short-lived download
//! URL. Only routes that only participants reach show messages, so only participants
//! ever get a URL.

use chat_domain::Attachment;
use chat_read_model::model::MessageRecord;
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::schemas::AttachmentSchema;

use super::MediaService;

/// A message with its file's download URL.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageView {
    #[serde(flatten)]
    message: MessageRecord,
    /// A media message's file, with where to download it (gone once deleted).
    #[serde(skip_serializing_if = "Option::is_none")]
    attachment: Option<AttachmentView>,
}

/// A file with where to download it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentView {
    #[serde(flatten)]
    #[schema(value_type = AttachmentSchema)]
    attachment: Attachment,
    /// A pre-signed GET, valid for the configured download TTL; absent when it cannot
    /// be signed now (no store configured), so the message still shows.
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

impl MediaService {
    /// `message` as shown, its file (if any) with a download URL.
    pub async fn view(&self, mut message: MessageRecord) -> MessageView {
        let attachment = match message.attachment.take() {
            Some(attachment) => Some(self.with_url(attachment).await),
            None => None,
        };
        MessageView {
            message,
            attachment,
        }
    }

    /// `messages` as shown, in order.
    pub async fn views(&self, messages: Vec<MessageRecord>) -> Vec<MessageView> {
        let mut views = Vec::with_capacity(messages.len());
        for message in messages {
            views.push(self.view(message).await);
        }
        views
    }

    async fn with_url(&self, attachment: Attachment) -> AttachmentView {
        let signed = match self.store() {
            Ok(store) => store
                .presign_get(
                    &attachment.key,
                    &attachment.name,
                    self.settings.download_ttl,
                )
                .await
                .map_err(|e| tracing::warn!(error.message = %e, key = %attachment.key, "cannot sign a download URL"))
                .ok(),
            Err(_) => None,
        };
        AttachmentView {
            attachment,
            url: signed,
        }
    }
}
