//! A Telegram file copied into the chat's objects: downloaded from Telegram, stored in
//! the media store at a key the Telegram message names.

use chat_domain::chat::object_key;
use chat_domain::chat::rules::media::mime_essence;
use chat_domain::{Attachment, ChatId};
use uuid::Uuid;

use super::{Inbound, InboundError};
use crate::attachments::file_name;
use crate::flood::obeying_flood_waits;
use crate::media::MediaFile;
use crate::ports::{GatewayError, TelegramGateway, TelegramMessage};

/// What became of a Telegram file the chat keeps.
pub(super) enum Copied {
    /// Stored in the media store, as this attachment.
    Stored(Attachment),
    /// Not copied: no store is configured, or Telegram would not hand it out (the
    /// message is gone, or the bot lost the group). Why.
    Refused(String),
}

impl<G: TelegramGateway> Inbound<G> {
    /// Downloads the file of `m` from Telegram and stores it among chat `chat_id`'s
    /// objects, under a key the Telegram message names (a replay overwrites it with the
    /// same bytes).
    pub(super) async fn copy_in(
        &self,
        chat_id: ChatId,
        m: &TelegramMessage,
        file: &MediaFile,
    ) -> Result<Copied, InboundError> {
        let Some(media) = &self.media else {
            return Ok(Copied::Refused("no object store is configured".into()));
        };
        let downloaded = obeying_flood_waits("download", || {
            self.gateway.download_file(m.chat_id, m.message_id)
        })
        .await;
        let bytes = match downloaded {
            Ok(bytes) => bytes,
            Err(GatewayError::Rejected(reason) | GatewayError::NoAccess(reason)) => {
                return Ok(Copied::Refused(format!(
                    "Telegram refused the download: {reason}"
                )));
            }
            Err(e) => return Err(InboundError::Download(e)),
        };
        let upload = format!("telegram:{}:{}", m.chat_id, m.message_id);
        let key = object_key(
            chat_id,
            Uuid::new_v5(&Uuid::NAMESPACE_OID, upload.as_bytes()),
        );
        let mime_type = mime_essence(&file.mime_type);
        let size = bytes.len() as u64;
        media
            .put(&key, bytes.into(), &mime_type)
            .await
            .map_err(InboundError::Media)?;
        Ok(Copied::Stored(Attachment {
            key,
            name: file_name(file, m.message_id),
            size,
            mime_type,
            width: file.width,
            height: file.height,
            duration_secs: file.duration_secs,
        }))
    }
}
