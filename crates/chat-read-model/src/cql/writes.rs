//! Projection writes to the CQL tables, each at the event's version as write time.

use chat_domain::{Attachment, ChatId, MessageSource};
use scylla::value::CqlTimeuuid;

use super::{CqlReadModels, cql, write_time};
use crate::model::PurgeScope;
use crate::plan::MessageWrite;
use crate::ports::{MessageStore, Result, StoreError};

/// The stored name of a message source.
pub(crate) const fn source_name(source: MessageSource) -> &'static str {
    match source {
        MessageSource::Chat => "chat",
        MessageSource::Telegram => "telegram",
        MessageSource::System => "system",
    }
}

/// The values of the insert of a new message, in its bind order (more than the 16 a
/// tuple binds).
#[derive(scylla::SerializeRow)]
#[scylla(flavor = "enforce_order", skip_name_checks)]
struct NewRow<'a> {
    chat_id: uuid::Uuid,
    bucket: i32,
    message_id: CqlTimeuuid,
    sender_id: Option<uuid::Uuid>,
    sender_name: Option<&'a str>,
    content: &'a str,
    message_type: &'a str,
    reply_to_id: Option<CqlTimeuuid>,
    is_edited: bool,
    is_deleted: bool,
    created_at: time::OffsetDateTime,
    source: &'static str,
    telegram_message_id: Option<i64>,
    version: i64,
    attachment: Option<String>,
    telegram_user_id: Option<i64>,
    /// `USING TIMESTAMP`: the event's version.
    write_time: i64,
}

/// A media message's file as the `attachment` column stores it (JSON: the event's form).
fn attachment_json(attachment: &Attachment) -> Result<String> {
    serde_json::to_string(attachment).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl MessageStore for CqlReadModels {
    async fn apply(&self, chat_id: ChatId, version: u64, writes: &[MessageWrite]) -> Result<()> {
        let chat = chat_id.as_uuid();
        let at = write_time(version);
        for write in writes {
            match write {
                MessageWrite::Insert(m) => {
                    let values = NewRow {
                        chat_id: chat,
                        bucket: m.bucket,
                        message_id: CqlTimeuuid::from(m.message_id.as_uuid()),
                        sender_id: m.sender_id.map(|s| s.as_uuid()),
                        sender_name: m.sender_name.as_deref(),
                        content: m.content.as_str(),
                        message_type: m.message_type.as_str(),
                        reply_to_id: m.reply_to.map(|r| CqlTimeuuid::from(r.as_uuid())),
                        is_edited: false,
                        is_deleted: false,
                        created_at: m.created_at,
                        source: source_name(m.source),
                        telegram_message_id: m.telegram_message_id,
                        version: at,
                        attachment: m.attachment.as_deref().map(attachment_json).transpose()?,
                        telegram_user_id: m.telegram_user_id,
                        write_time: at,
                    };
                    self.session
                        .execute_unpaged(&self.insert, values)
                        .await
                        .map_err(cql)?;
                }
                MessageWrite::Edit {
                    message_id,
                    bucket,
                    content,
                    edited_at,
                } => {
                    let values = (
                        at,
                        content.as_str(),
                        *edited_at,
                        chat,
                        *bucket,
                        CqlTimeuuid::from(message_id.as_uuid()),
                    );
                    self.session
                        .execute_unpaged(&self.edit, values)
                        .await
                        .map_err(cql)?;
                }
                MessageWrite::Delete { message_id, bucket } => {
                    let values = (at, chat, *bucket, CqlTimeuuid::from(message_id.as_uuid()));
                    self.session
                        .execute_unpaged(&self.delete, values)
                        .await
                        .map_err(cql)?;
                }
                MessageWrite::ReadStatus {
                    user_id,
                    last_read_message_id,
                    read_at,
                } => {
                    let values = (
                        at,
                        CqlTimeuuid::from(last_read_message_id.as_uuid()),
                        *read_at,
                        at,
                        chat,
                        user_id.as_uuid(),
                    );
                    self.session
                        .execute_unpaged(&self.read_status, values)
                        .await
                        .map_err(cql)?;
                }
            }
        }
        Ok(())
    }

    async fn purge(&self, chat_id: ChatId, version: u64, scope: &PurgeScope) -> Result<()> {
        let chat = chat_id.as_uuid();
        let at = write_time(version);
        for bucket in scope.buckets.clone() {
            self.session
                .execute_unpaged(&self.purge_bucket, (at, chat, bucket))
                .await
                .map_err(cql)?;
        }
        for reader in &scope.readers {
            self.session
                .execute_unpaged(&self.purge_reader, (at, chat, reader.as_uuid()))
                .await
                .map_err(cql)?;
        }
        Ok(())
    }

    async fn truncate(&self) -> Result<()> {
        for table in ["messages", "message_read_status"] {
            self.session
                .query_unpaged(format!("TRUNCATE {}.{table}", self.keyspace), &[])
                .await
                .map_err(cql)?;
        }
        Ok(())
    }
}
