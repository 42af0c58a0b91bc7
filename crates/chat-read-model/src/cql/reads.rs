//! Reading messages back: one message, or one bucket's slice of a history page.

use chat_domain::{ChatId, MessageId, MessageSource, UserId};
use scylla::value::CqlTimeuuid;
use time::OffsetDateTime;
use uuid::Uuid;

use scylla::client::session::Session;
use scylla::statement::prepared::PreparedStatement;

use super::{CqlReadModels, cql, prepare};
use crate::bucket::bucket_of_message;
use crate::model::{BucketRange, Direction, MessageRecord};
use crate::ports::{MessageQueries, Result, StoreError};

/// The message columns every read selects, in [`Row`]'s order.
const MESSAGE_COLUMNS: &str = "chat_id, message_id, sender_id, sender_name, content, \
     message_type, reply_to_id, is_edited, is_deleted, created_at, edited_at, source, \
     telegram_message_id, version, attachment, telegram_user_id";

/// The statements of the reads.
#[derive(Debug, Clone)]
pub(super) struct Statements {
    one: PreparedStatement,
    older: PreparedStatement,
    newer: PreparedStatement,
}

impl Statements {
    /// Prepares them against keyspace `ks`.
    pub(super) async fn prepare(session: &Session, ks: &str) -> Result<Self> {
        let page = |order: &str| {
            format!(
                "SELECT {MESSAGE_COLUMNS} FROM {ks}.messages WHERE chat_id = ? AND bucket = ? \
                 AND message_id > ? AND message_id < ? ORDER BY message_id {order} LIMIT ?"
            )
        };
        Ok(Self {
            one: prepare(
                session,
                format!(
                    "SELECT {MESSAGE_COLUMNS} FROM {ks}.messages \
                     WHERE chat_id = ? AND bucket = ? AND message_id = ?"
                ),
            )
            .await?,
            older: prepare(session, page("DESC")).await?,
            newer: prepare(session, page("ASC")).await?,
        })
    }
}

/// One `messages` row, its columns in [`MESSAGE_COLUMNS`] order and named (a tuple would
/// stop at 16 columns, and positions are easy to misplace).
#[derive(scylla::DeserializeRow)]
#[scylla(flavor = "enforce_order", skip_name_checks)]
struct Row {
    chat_id: Uuid,
    message_id: CqlTimeuuid,
    sender_id: Option<Uuid>,
    sender_name: Option<String>,
    content: Option<String>,
    message_type: Option<String>,
    reply_to_id: Option<CqlTimeuuid>,
    is_edited: Option<bool>,
    is_deleted: Option<bool>,
    created_at: Option<OffsetDateTime>,
    edited_at: Option<OffsetDateTime>,
    source: Option<String>,
    telegram_message_id: Option<i64>,
    version: Option<i64>,
    attachment: Option<String>,
    telegram_user_id: Option<i64>,
}

/// The smallest and largest TIMEUUIDs (times 0 and 2^60-1): open bounds of a range.
fn extreme(max: bool) -> CqlTimeuuid {
    let ticks = if max { (1_u64 << 60) - 1 } else { 0 };
    let node = if max { [0xff; 6] } else { [0; 6] };
    CqlTimeuuid::from(Uuid::new_v1(
        uuid::Timestamp::from_gregorian_time(ticks, 0),
        &node,
    ))
}

/// A row as a message; `None` for a row whose insert has not landed yet (an edit or
/// delete of an ASYNC event arrived first and wrote only its own cells).
fn record(row: Row) -> Result<Option<MessageRecord>> {
    let Row {
        chat_id: chat,
        message_id: id,
        sender_id: sender,
        sender_name,
        content,
        message_type,
        reply_to_id: reply_to,
        is_edited: edited,
        is_deleted: deleted,
        created_at,
        edited_at,
        source,
        telegram_message_id,
        version,
        attachment,
        telegram_user_id,
    } = row;
    let Some(created_at) = created_at else {
        return Ok(None);
    };
    let source = match source.as_deref() {
        Some("telegram") => MessageSource::Telegram,
        Some("system") => MessageSource::System,
        Some("chat") | None => MessageSource::Chat,
        Some(other) => return Err(StoreError::Corrupt(format!("message source {other:?}"))),
    };
    Ok(Some(MessageRecord {
        id: MessageId::from_uuid(Uuid::from(id)),
        chat_id: ChatId::from_uuid(chat),
        sender_id: sender.map(UserId::from_uuid),
        sender_name,
        content,
        message_type: message_type.unwrap_or_else(|| "text".to_owned()),
        attachment: attachment
            .map(|json| serde_json::from_str(&json))
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("message attachment: {e}")))?,
        reply_to: reply_to.map(|r| MessageId::from_uuid(Uuid::from(r))),
        source,
        telegram_message_id,
        telegram_user_id,
        created_at,
        is_edited: edited.unwrap_or(false),
        edited_at,
        is_deleted: deleted.unwrap_or(false),
        version: version.and_then(|v| u64::try_from(v).ok()).unwrap_or(0),
    }))
}

impl CqlReadModels {
    async fn rows(
        &self,
        statement: &PreparedStatement,
        values: impl scylla::serialize::row::SerializeRow,
    ) -> Result<Vec<MessageRecord>> {
        let result = self
            .session
            .execute_unpaged(statement, values)
            .await
            .map_err(cql)?
            .into_rows_result()
            .map_err(cql)?;
        let mut messages = Vec::new();
        for row in result.rows::<Row>().map_err(cql)? {
            if let Some(message) = record(row.map_err(cql)?)? {
                messages.push(message);
            }
        }
        Ok(messages)
    }
}

impl MessageQueries for CqlReadModels {
    async fn message(
        &self,
        chat_id: ChatId,
        bucket: i32,
        message_id: MessageId,
    ) -> Result<Option<MessageRecord>> {
        let values = (
            chat_id.as_uuid(),
            bucket,
            CqlTimeuuid::from(message_id.as_uuid()),
        );
        Ok(self.rows(&self.reads.one, values).await?.into_iter().next())
    }

    async fn bucket_page(&self, chat_id: ChatId, range: BucketRange) -> Result<Vec<MessageRecord>> {
        let after = range
            .after
            .map_or_else(|| extreme(false), |a| CqlTimeuuid::from(a.as_uuid()));
        let before = range
            .before
            .map_or_else(|| extreme(true), |b| CqlTimeuuid::from(b.as_uuid()));
        let statement = match range.direction {
            Direction::Older => &self.reads.older,
            Direction::Newer => &self.reads.newer,
        };
        let limit = i32::try_from(range.limit).unwrap_or(i32::MAX);
        let values = (chat_id.as_uuid(), range.bucket, after, before, limit);
        self.rows(statement, values).await
    }

    async fn messages(&self, ids: &[(ChatId, MessageId)]) -> Result<Vec<MessageRecord>> {
        // One single-row read per message, all in flight at once: each goes straight to
        // the replicas of its partition (token-aware), where an `IN` over chats and
        // messages would make one coordinator read every chat for every message id.
        let reads = ids.iter().filter_map(|(chat_id, message_id)| {
            let bucket = bucket_of_message(*message_id)?;
            Some(self.message(*chat_id, bucket, *message_id))
        });
        let found = futures_util::future::try_join_all(reads).await?;
        Ok(found.into_iter().flatten().collect())
    }
}
