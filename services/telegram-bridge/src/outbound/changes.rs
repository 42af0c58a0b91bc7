//! Edits and deletes of mirrored chat messages: each reaches every part of the copy.

use chat_domain::chat::events::{MessageDeleted, MessageEdited};
use chat_domain::{ChatId, MessageId, UserId};
use chat_kafka::HandlerError;

use super::{Outbound, Post, Posted, count_split, recorded, target, transient};
use crate::adapters::pg::{MappedMessage, Origin, Part};
use crate::flood::obeying_flood_waits;
use crate::limits::TextLimit;
use crate::ports::{GatewayError, TelegramGateway};
use crate::posts::{Layout, posts, send_key};

impl<G: TelegramGateway> Outbound<G> {
    /// The mirrored message a change of message `message_id` at chat `version` applies
    /// to: `None` when the chat is not linked, the message was never mirrored, or the
    /// change (or a newer one) was already mirrored. With `live`, also `None` when its
    /// (first) copy is deleted.
    pub(super) async fn copy_to_change(
        &self,
        chat_id: ChatId,
        message_id: MessageId,
        version: u64,
        live: bool,
    ) -> Result<Option<MappedMessage>, HandlerError> {
        if self
            .store
            .link_of_chat(chat_id)
            .await
            .map_err(transient)?
            .is_none()
        {
            return Ok(None);
        }
        let copy = self
            .store
            .by_chat_message(chat_id, message_id)
            .await
            .map_err(transient)?;
        Ok(copy.filter(|m| !(live && m.deleted) && m.last_version < version))
    }

    /// An edit reaches every part: the new text is split again; the parts there are
    /// edited in order, extra parts it needs are posted after them (Telegram cannot
    /// insert, so they follow whatever was posted in between), and parts it no longer
    /// needs are deleted (Telegram refuses an empty text, so none is left blank). The
    /// event does not say whether the message carries a file: a first part Telegram
    /// refuses as over the caption limit says so, and the text is split again with a
    /// caption first.
    pub(super) async fn edited(&self, e: &MessageEdited) -> Result<(), HandlerError> {
        let Some(m) = self
            .copy_to_change(e.chat_id, e.message_id, e.version, true)
            .await?
        else {
            return Ok(());
        };
        // Telegram's copy of a Telegram message is the original: nothing to mirror.
        if m.origin == Origin::Telegram {
            return Ok(());
        }
        let author = e
            .edited_by
            .user_id()
            .unwrap_or_else(|| UserId::from_uuid(uuid::Uuid::nil()));
        let parts = self
            .store
            .parts(e.chat_id, e.message_id)
            .await
            .map_err(transient)?;
        let split = |layout| posts(e.edited_by.user_name(), author, &e.content, layout);
        let mut posts = split(Layout::Text);
        if let Some(first) = parts.first() {
            let mut edited = self.edit_part(&m, first, &posts[0]).await;
            if matches!(edited, Err(GatewayError::TooLong(TextLimit::Caption))) {
                posts = split(Layout::Caption);
                edited = self.edit_part(&m, first, &posts[0]).await;
            }
            self.answered(m.telegram_chat_id, edited).await?;
        }
        count_split("edit", posts.len());
        let mut next_index = parts.last().map_or(0, |p| p.index + 1);
        for (position, text) in posts.iter().enumerate().skip(1) {
            if let Some(part) = parts.get(position) {
                let edited = self.edit_part(&m, part, text).await;
                self.answered(m.telegram_chat_id, edited).await?;
                continue;
            }
            let (index, target) = (next_index, target(m.telegram_chat_id, m.telegram_topic_id));
            next_index += 1;
            let key = send_key(e.message_id, index, e.version);
            if let Posted::At(id) = self.post(target, Post::Text(text), None, key).await? {
                let group = m.telegram_chat_id;
                recorded(|| {
                    self.store
                        .record_part(e.chat_id, e.message_id, index, group, id)
                })
                .await?;
            }
        }
        for surplus in parts.iter().skip(posts.len()) {
            self.delete_copy(m.telegram_chat_id, surplus.telegram_message_id)
                .await?;
            self.store
                .forget_part(e.chat_id, e.message_id, surplus.index)
                .await
                .map_err(transient)?;
        }
        self.store
            .advance(e.chat_id, e.message_id, e.version, false)
            .await
            .map_err(transient)
    }

    /// Replaces the text of one posted part (a caption, for a file), obeying flood waits.
    pub(super) async fn edit_part(
        &self,
        m: &MappedMessage,
        part: &Part,
        text: &str,
    ) -> Result<(), GatewayError> {
        obeying_flood_waits("edit", || {
            self.gateway
                .edit_message(m.telegram_chat_id, part.telegram_message_id, text)
        })
        .await
    }

    /// A delete reaches every part, also when Telegram already lost some (deleting a
    /// deleted message changes nothing).
    pub(super) async fn deleted(&self, e: &MessageDeleted) -> Result<(), HandlerError> {
        let Some(m) = self
            .copy_to_change(e.chat_id, e.message_id, e.version, false)
            .await?
        else {
            return Ok(());
        };
        let parts = self
            .store
            .parts(e.chat_id, e.message_id)
            .await
            .map_err(transient)?;
        for part in parts {
            self.delete_copy(m.telegram_chat_id, part.telegram_message_id)
                .await?;
        }
        self.store
            .advance(e.chat_id, e.message_id, e.version, true)
            .await
            .map_err(transient)
    }

    pub(super) async fn delete_copy(
        &self,
        chat_id: i64,
        message_id: i64,
    ) -> Result<(), HandlerError> {
        let deleted = obeying_flood_waits("delete", || {
            self.gateway.delete_message(chat_id, message_id)
        })
        .await;
        self.answered(chat_id, deleted).await.map(drop)
    }
}
