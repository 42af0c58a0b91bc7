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
//! - [`writes`]: the projection writes ([`crate::ports::MessageStore`]) and their statements.
//! - [`reads`]: the queries ([`crate::ports::MessageQueries`]), their statements and the
//!   row they read.

pub mod reads;
pub mod writes;

use std::sync::Arc;

use scylla::client::session::Session;
use scylla::statement::prepared::PreparedStatement;

use crate::ports::StoreError;

/// The CQL read models of one keyspace, with every statement prepared once (each beside
/// the code that runs it: [`writes`], [`reads`]).
#[derive(Debug, Clone)]
pub struct CqlReadModels {
    session: Arc<Session>,
    keyspace: String,
    writes: writes::Statements,
    reads: reads::Statements,
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
        Ok(Self {
            writes: writes::Statements::prepare(&session, keyspace).await?,
            reads: reads::Statements::prepare(&session, keyspace).await?,
            session,
            keyspace: keyspace.to_owned(),
        })
    }
}

/// Prepares one statement.
async fn prepare(session: &Session, text: String) -> Result<PreparedStatement, StoreError> {
    session.prepare(text).await.map_err(cql)
}

/// A chat version as a CQL write time.
fn write_time(version: u64) -> i64 {
    i64::try_from(version).unwrap_or(i64::MAX)
}
