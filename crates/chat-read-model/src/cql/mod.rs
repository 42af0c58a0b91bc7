//! The CQL adapter (ScyllaDB in production, Cassandra locally): the `messages` and
//! `message_read_status` tables of `cql/001_messages.cql` (and a media message's
//! `attachment`, JSON, of `cql/002_message_attachments.cql`; a Telegram message's
//! `telegram_user_id`, of `cql/003_message_telegram_authors.cql`).
//!
//! Version guard: every write carries `USING TIMESTAMP <chat version>`. CQL resolves each
//! cell by its write time (last write wins), so a cell written by an older event never
//! overwrites one written by a newer event, in whichever order they arrive and however
//! often; a delete clears the content with a tombstone at its version, which older writes
//! cannot shadow. This works alike on ScyllaDB and Cassandra and costs one ordinary
//! write, where lightweight transactions (`IF version < ?`) would cost a Paxos round per
//! write, behave differently on the two servers, and must not be mixed with plain writes
//! on the same rows. Every write of ours uses event versions as write times, so no write
//! with a wall-clock time ever competes with them.
//!
//! - [`writes`]: the projection writes ([`crate::ports::MessageStore`]).
//! - [`reads`]: the queries ([`crate::ports::MessageQueries`]).

pub mod reads;
pub mod writes;

use std::sync::Arc;

use scylla::client::session::Session;
use scylla::statement::prepared::PreparedStatement;

use crate::ports::StoreError;

/// The message columns every read selects, in [`reads`]' row order.
const MESSAGE_COLUMNS: &str = "chat_id, message_id, sender_id, sender_name, content, \
     message_type, reply_to_id, is_edited, is_deleted, created_at, edited_at, source, \
     telegram_message_id, version, attachment, telegram_user_id";

/// The CQL read models of one keyspace, with every statement prepared once.
#[derive(Debug, Clone)]
pub struct CqlReadModels {
    session: Arc<Session>,
    keyspace: String,
    insert: PreparedStatement,
    edit: PreparedStatement,
    delete: PreparedStatement,
    read_status: PreparedStatement,
    purge_bucket: PreparedStatement,
    purge_reader: PreparedStatement,
    one: PreparedStatement,
    older: PreparedStatement,
    newer: PreparedStatement,
}

fn cql(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Cql(Box::new(e))
}

impl CqlReadModels {
    /// Prepares the statements against `keyspace`.
    ///
    /// # Errors
    /// [`StoreError::Cql`] when the keyspace or its tables are missing, or the store is down.
    pub async fn new(session: Arc<Session>, keyspace: &str) -> Result<Self, StoreError> {
        let ks = keyspace;
        let prepare = |text: String| {
            let session = Arc::clone(&session);
            async move { session.prepare(text).await.map_err(cql) }
        };
        let page = |order: &str| {
            format!(
                "SELECT {MESSAGE_COLUMNS} FROM {ks}.messages WHERE chat_id = ? AND bucket = ? \
                 AND message_id > ? AND message_id < ? ORDER BY message_id {order} LIMIT ?"
            )
        };
        Ok(Self {
            insert: prepare(format!(
                "INSERT INTO {ks}.messages (chat_id, bucket, message_id, sender_id, sender_name, \
                 content, message_type, reply_to_id, is_edited, is_deleted, created_at, source, \
                 telegram_message_id, version, attachment, telegram_user_id) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?"
            ))
            .await?,
            edit: prepare(format!(
                "UPDATE {ks}.messages USING TIMESTAMP ? SET content = ?, is_edited = true, \
                 edited_at = ? WHERE chat_id = ? AND bucket = ? AND message_id = ?"
            ))
            .await?,
            delete: prepare(format!(
                "UPDATE {ks}.messages USING TIMESTAMP ? SET content = null, attachment = null, \
                 is_deleted = true WHERE chat_id = ? AND bucket = ? AND message_id = ?"
            ))
            .await?,
            read_status: prepare(format!(
                "UPDATE {ks}.message_read_status USING TIMESTAMP ? SET last_read_message_id = ?, \
                 read_at = ?, version = ? WHERE chat_id = ? AND user_id = ?"
            ))
            .await?,
            purge_bucket: prepare(format!(
                "DELETE FROM {ks}.messages USING TIMESTAMP ? WHERE chat_id = ? AND bucket = ?"
            ))
            .await?,
            purge_reader: prepare(format!(
                "DELETE FROM {ks}.message_read_status USING TIMESTAMP ? \
                 WHERE chat_id = ? AND user_id = ?"
            ))
            .await?,
            one: prepare(format!(
                "SELECT {MESSAGE_COLUMNS} FROM {ks}.messages \
                 WHERE chat_id = ? AND bucket = ? AND message_id = ?"
            ))
            .await?,
            older: prepare(page("DESC")).await?,
            newer: prepare(page("ASC")).await?,
            session,
            keyspace: keyspace.to_owned(),
        })
    }
}

/// A chat version as a CQL write time.
fn write_time(version: u64) -> i64 {
    i64::try_from(version).unwrap_or(i64::MAX)
}
