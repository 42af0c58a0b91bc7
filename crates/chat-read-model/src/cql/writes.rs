//! Projection writes to the CQL tables, each at the event's version as write time.

use chat_domain::{Attachment, ChatId, MessageSource};
use scylla::value::{CqlTimeuuid, MaybeUnset};

use scylla::client::session::Session;
use scylla::statement::prepared::PreparedStatement;

use super::{CqlReadModels, cql, prepare, write_time};
use crate::model::PurgeScope;
use crate::plan::MessageWrite;
use crate::ports::{MessageStore, Result, StoreError};

/// The statements of the projection writes.
#[derive(Debug, Clone)]
pub(super) struct Statements {
    insert: PreparedStatement,
    edit: PreparedStatement,
    delete: PreparedStatement,
    read_status: PreparedStatement,
    purge_bucket: PreparedStatement,
    purge_reader: PreparedStatement,
}

impl Statements {
    /// Prepares them against keyspace `ks`.
    pub(super) async fn prepare(session: &Session, ks: &str) -> Result<Self> {
        Ok(Self {
            insert: prepare(
                session,
                format!(
                    "INSERT INTO {ks}.messages (chat_id, bucket, message_id, sender_id, \
                     sender_name, content, message_type, reply_to_id, is_edited, is_deleted, \
                     created_at, source, telegram_message_id, version, attachment, \
                     telegram_user_id) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?"
                ),
            )
            .await?,
            edit: prepare(
                session,
                format!(
                    "UPDATE {ks}.messages USING TIMESTAMP ? SET content = ?, is_edited = true, \
                     edited_at = ? WHERE chat_id = ? AND bucket = ? AND message_id = ?"
                ),
            )
            .await?,
            delete: prepare(
                session,
                format!(
                    "UPDATE {ks}.messages USING TIMESTAMP ? SET content = null, \
                     attachment = null, is_deleted = true \
                     WHERE chat_id = ? AND bucket = ? AND message_id = ?"
                ),
            )
            .await?,
            read_status: prepare(
                session,
                format!(
                    "UPDATE {ks}.message_read_status USING TIMESTAMP ? \
                     SET last_read_message_id = ?, read_at = ?, version = ? \
                     WHERE chat_id = ? AND user_id = ?"
                ),
            )
            .await?,
            purge_bucket: prepare(
                session,
                format!(
                    "DELETE FROM {ks}.messages USING TIMESTAMP ? WHERE chat_id = ? AND bucket = ?"
                ),
            )
            .await?,
            purge_reader: prepare(
                session,
                format!(
                    "DELETE FROM {ks}.message_read_status USING TIMESTAMP ? \
                     WHERE chat_id = ? AND user_id = ?"
                ),
            )
            .await?,
        })
    }
}

/// The stored name of a message source.
pub(crate) const fn source_name(source: MessageSource) -> &'static str {
    match source {
        MessageSource::Chat => "chat",
        MessageSource::Telegram => "telegram",
        MessageSource::System => "system",
    }
}

/// The values of the insert of a new message, in its bind order (more than the 16 a
/// tuple binds). An optional value the message lacks is left unset, not bound as null:
/// a null in an insert writes a tombstone cell, stored and compacted with the row and
/// stepped over by every read of it (five for a plain chat message).
#[derive(scylla::SerializeRow)]
#[scylla(flavor = "enforce_order", skip_name_checks)]
struct NewRow<'a> {
    chat_id: uuid::Uuid,
    bucket: i32,
    message_id: CqlTimeuuid,
    sender_id: MaybeUnset<uuid::Uuid>,
    sender_name: MaybeUnset<&'a str>,
    content: &'a str,
    message_type: &'a str,
    reply_to_id: MaybeUnset<CqlTimeuuid>,
    is_edited: bool,
    is_deleted: bool,
    created_at: time::OffsetDateTime,
    source: &'static str,
    telegram_message_id: MaybeUnset<i64>,
    version: i64,
    attachment: MaybeUnset<String>,
    telegram_user_id: MaybeUnset<i64>,
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
                        sender_id: MaybeUnset::from_option(m.sender_id.map(|s| s.as_uuid())),
                        sender_name: MaybeUnset::from_option(m.sender_name.as_deref()),
                        content: m.content.as_str(),
                        message_type: m.message_type.as_str(),
                        reply_to_id: MaybeUnset::from_option(
                            m.reply_to.map(|r| CqlTimeuuid::from(r.as_uuid())),
                        ),
                        is_edited: false,
                        is_deleted: false,
                        created_at: m.created_at,
                        source: source_name(m.source),
                        telegram_message_id: MaybeUnset::from_option(m.telegram_message_id),
                        version: at,
                        attachment: MaybeUnset::from_option(
                            m.attachment.as_deref().map(attachment_json).transpose()?,
                        ),
                        telegram_user_id: MaybeUnset::from_option(m.telegram_user_id),
                        write_time: at,
                    };
                    self.session
                        .execute_unpaged(&self.writes.insert, values)
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
                        .execute_unpaged(&self.writes.edit, values)
                        .await
                        .map_err(cql)?;
                }
                MessageWrite::Delete { message_id, bucket } => {
                    let values = (at, chat, *bucket, CqlTimeuuid::from(message_id.as_uuid()));
                    self.session
                        .execute_unpaged(&self.writes.delete, values)
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
                        .execute_unpaged(&self.writes.read_status, values)
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
                .execute_unpaged(&self.writes.purge_bucket, (at, chat, bucket))
                .await
                .map_err(cql)?;
        }
        for reader in &scope.readers {
            self.session
                .execute_unpaged(&self.writes.purge_reader, (at, chat, reader.as_uuid()))
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
