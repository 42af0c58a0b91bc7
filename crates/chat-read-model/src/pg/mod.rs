//! The PostgreSQL adapter: the relational read models (`migrations/0002_read_models.sql`,
//! `0004_message_templates.sql`).
//!
//! - [`rows`]: the projection writes ([`crate::ports::RowStore`]), each upsert
//!   guarded by versions, in one transaction with the projector's checkpoint.
//! - [`queries`]: the queries ([`crate::ports::ChatQueries`]).
//! - [`edits`]: the edit history ([`crate::ports::EditQueries`]).
//! - `last_message`: a chat's newest message as its row keeps it.
//! - [`texts`]: the messages' texts (search index, edit history), written by projector-async.
//! - [`search`]: full-text search ([`crate::ports::SearchQueries`], `0011_message_search.sql`).
//! - [`applied`]: waiting until projector-sync applied a chat version (LISTEN/NOTIFY).

pub mod applied;
pub mod edits;
mod last_message;
pub mod queries;
pub mod rows;
pub mod search;
pub mod texts;

use sqlx::PgPool;

use crate::ports::StoreError;

/// The relational read models on a PostgreSQL pool.
#[derive(Debug, Clone)]
pub struct PgReadModels {
    pool: PgPool,
    /// How many of the newest matches a message search ranks at a time.
    search_window: usize,
}

impl PgReadModels {
    /// The read models on `pool`.
    #[must_use]
    pub const fn new(pool: PgPool) -> Self {
        Self {
            pool,
            search_window: crate::search::WINDOW,
        }
    }

    /// The same, with message searches ranking `window` matches at a time (tests walk
    /// several windows with a small one).
    #[must_use]
    pub fn with_search_window(self, window: usize) -> Self {
        Self {
            search_window: window,
            ..self
        }
    }

    /// The pool.
    #[must_use]
    pub const fn pool(&self) -> &PgPool {
        &self.pool
    }
}

fn db(e: sqlx::Error) -> StoreError {
    StoreError::Postgres(Box::new(e))
}

/// PostgreSQL stores versions as BIGINT; chat versions stay far below `i64::MAX`.
fn v(version: u64) -> i64 {
    i64::try_from(version).unwrap_or(i64::MAX)
}

/// The inverse of [`v`]: a stored version (never negative).
fn u(version: i64) -> u64 {
    u64::try_from(version).unwrap_or(0)
}

/// The transaction-scoped lock key of a chat: both projectors take it first, so their
/// writes to one chat's rows never interleave.
fn lock_key(chat_id: chat_domain::ChatId) -> i64 {
    let bytes = chat_id.as_uuid().into_bytes();
    let mut first = [0_u8; 8];
    first.copy_from_slice(&bytes[..8]);
    i64::from_be_bytes(first)
}
