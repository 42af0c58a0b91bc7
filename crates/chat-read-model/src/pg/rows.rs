//! Projection writes to PostgreSQL.
//!
//! One event's writes run in one transaction that first takes the chat's lock (so the two
//! projectors never interleave on one chat) and moves the projector's checkpoint
//! forward, in one statement (`... WHERE version < $v`; nothing moved = a redelivery,
//! and nothing is written), then upserts the rows. Rows shared by both projectors guard each column by
//! the version that wrote it, so an ASYNC event applied before an older SYNC one (the
//! projectors run at different offsets) is never undone by it. projector-sync also
//! notifies `projection_applied` with `<chat_id>:<version>` in the same transaction; that
//! transaction, from `BEGIN` to the acknowledged `COMMIT`, is the `checkpoint_notify` hop
//! of the SYNC path (`chat_sync_hop_seconds{hop="checkpoint_notify"}`).

use std::time::Instant;

use chat_domain::{ChatId, UserId};
use chat_runtime::hops;
use sqlx::{Postgres, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{PgReadModels, db, last_message, lock_key, texts, v};
use crate::model::PurgeScope;
use crate::person::Person;
use crate::plan::{Projector, RowWrite};
use crate::ports::{Result, RowStore};

/// The channel projector-sync notifies when it applied a chat version.
pub const APPLIED_CHANNEL: &str = "projection_applied";

/// Takes the chat's lock (`$4`), then moves the projector's checkpoint forward; one
/// statement, so one round trip. `$5`/`$6`: the channel and payload to notify (delivered
/// only if the transaction commits), or NULL.
const CHECKPOINT: &str = "INSERT INTO projection_checkpoints (projector, chat_id, version) \
     SELECT $1, $2, $3 FROM (SELECT pg_advisory_xact_lock($4), \
         CASE WHEN $5::text IS NOT NULL THEN pg_notify($5, $6) END) AS locked \
     ON CONFLICT (projector, chat_id) DO UPDATE \
     SET version = EXCLUDED.version, applied_at = now() \
     WHERE projection_checkpoints.version < EXCLUDED.version";

/// Upserts a `chats` row: `$1` id, `$2` version, then the columns of `set`. The same
/// statement carries the row's order and filters over to `chat_activity` (the chat
/// list's narrow table, `0019_chat_activity.sql`), so every write of a chat keeps the
/// two in step in one round trip, and one that changes none of them writes nothing
/// there.
pub(super) fn chat_upsert(columns: &str, values: &str, set: &str) -> String {
    format!(
        "WITH chat AS ( \
             INSERT INTO chats (id, version, {columns}) VALUES ($1, $2, {values}) \
             ON CONFLICT (id) DO UPDATE SET {set}, \
             version = GREATEST(chats.version, EXCLUDED.version), updated_at = now() \
             RETURNING id, COALESCE(last_message_at, created_at) AS active_at, chat_type, \
                 company_id, name, is_archived, is_deleted \
         ) {ACTIVITY}"
    )
}

/// Writes the `chat` the statement above returned to `chat_activity`, once the chat
/// was created (its type and creation time known).
const ACTIVITY: &str = "INSERT INTO chat_activity AS a \
     (chat_id, active_at, chat_type, company_id, name, is_archived, is_deleted) \
     SELECT id, active_at, chat_type, company_id, name, is_archived, is_deleted FROM chat \
     WHERE chat_type IS NOT NULL AND active_at IS NOT NULL \
     ON CONFLICT (chat_id) DO UPDATE SET active_at = EXCLUDED.active_at, \
     chat_type = EXCLUDED.chat_type, company_id = EXCLUDED.company_id, \
     name = EXCLUDED.name, is_archived = EXCLUDED.is_archived, \
     is_deleted = EXCLUDED.is_deleted \
     WHERE (a.active_at, a.chat_type, a.company_id, a.name, a.is_archived, a.is_deleted) \
         IS DISTINCT FROM (EXCLUDED.active_at, EXCLUDED.chat_type, EXCLUDED.company_id, \
             EXCLUDED.name, EXCLUDED.is_archived, EXCLUDED.is_deleted)";

/// A hard delete is a chat's last event, so every participant event is older than it:
/// in a deleted chat nobody is active, whichever of the two was applied first.
const PARTICIPANT: &str = "INSERT INTO chat_participants \
     (chat_id, user_id, role, is_active, joined_at, joined_version, added_by, version) \
     SELECT $1, $2, $3, $4 AND NOT EXISTS (SELECT 1 FROM chats WHERE id = $1 AND is_deleted), \
     $5, $6, $7, $8 \
     ON CONFLICT (chat_id, user_id) DO UPDATE SET \
     role = CASE WHEN chat_participants.version < EXCLUDED.version \
         THEN EXCLUDED.role ELSE chat_participants.role END, \
     is_active = CASE WHEN chat_participants.version < EXCLUDED.version \
         THEN EXCLUDED.is_active ELSE chat_participants.is_active END, \
     joined_at = CASE WHEN chat_participants.joined_version < EXCLUDED.joined_version \
         THEN EXCLUDED.joined_at ELSE chat_participants.joined_at END, \
     added_by = CASE WHEN chat_participants.joined_version < EXCLUDED.joined_version \
         THEN EXCLUDED.added_by ELSE chat_participants.added_by END, \
     joined_version = GREATEST(chat_participants.joined_version, EXCLUDED.joined_version), \
     version = GREATEST(chat_participants.version, EXCLUDED.version)";

const TELEGRAM: &str = "INSERT INTO chat_telegram_links \
     (chat_id, telegram_chat_id, telegram_topic_id, linked_by, linked_at, is_linked, version) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) \
     ON CONFLICT (chat_id) DO UPDATE SET telegram_chat_id = EXCLUDED.telegram_chat_id, \
     telegram_topic_id = EXCLUDED.telegram_topic_id, \
     linked_by = COALESCE(EXCLUDED.linked_by, chat_telegram_links.linked_by), \
     linked_at = COALESCE(EXCLUDED.linked_at, chat_telegram_links.linked_at), \
     is_linked = EXCLUDED.is_linked, version = EXCLUDED.version \
     WHERE chat_telegram_links.version < EXCLUDED.version";

/// Whether a reader counts a message at `$3` by sender `$2` as unread.
const COUNTS: &str = "chat_id = $1 AND is_active AND user_id IS DISTINCT FROM $2 \
     AND GREATEST(joined_version, last_read_version) < $3";

impl RowStore for PgReadModels {
    async fn apply(
        &self,
        projector: Projector,
        chat_id: ChatId,
        version: u64,
        rows: &[RowWrite],
    ) -> Result<bool> {
        let started = Instant::now();
        let mut tx = self.pool.begin().await.map_err(db)?;
        // projector-sync announces the version (read-your-writes); a redelivery rolls
        // back, and its notification with it.
        let notify = (projector == Projector::Sync).then(|| format!("{chat_id}:{version}"));
        let moved = sqlx::query(CHECKPOINT)
            .bind(projector.as_str())
            .bind(chat_id.as_uuid())
            .bind(v(version))
            .bind(lock_key(chat_id))
            .bind(notify.as_ref().map(|_| APPLIED_CHANNEL))
            .bind(notify)
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        if moved == 0 {
            return Ok(false);
        }
        for row in rows {
            write(&mut tx, chat_id, v(version), row).await?;
        }
        tx.commit().await.map_err(db)?;
        if projector == Projector::Sync {
            hops::observe_duration(hops::CHECKPOINT_NOTIFY, started.elapsed());
        }
        Ok(true)
    }

    async fn purge_scope(
        &self,
        chat_id: ChatId,
        until: OffsetDateTime,
    ) -> Result<Option<PurgeScope>> {
        let chat = chat_id.as_uuid();
        let row: Option<(Option<OffsetDateTime>, Option<i32>, Option<i32>)> = sqlx::query_as(
            "SELECT created_at, oldest_bucket, newest_bucket FROM chats WHERE id = $1",
        )
        .bind(chat)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        let Some((Some(created_at), oldest, newest)) = row else {
            return Ok(None);
        };
        let readers: Vec<Uuid> = sqlx::query_scalar(
            "SELECT user_id FROM chat_participants WHERE chat_id = $1 \
             UNION SELECT user_id FROM chat_read_positions WHERE chat_id = $1",
        )
        .bind(chat)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(Some(PurgeScope::spanning(
            created_at,
            oldest.zip(newest),
            until,
            readers.into_iter().map(UserId::from_uuid).collect(),
        )))
    }

    async fn reset_once<F>(&self, rebuild_id: &str, empty_messages: F) -> Result<bool>
    where
        F: Future<Output = Result<()>> + Send,
    {
        let mut tx = self.pool.begin().await.map_err(db)?;
        // One rebuild at a time: the second projector waits here, then finds the id.
        sqlx::query("LOCK TABLE read_model_rebuilds IN EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        let done: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM read_model_rebuilds WHERE rebuild_id = $1)",
        )
        .bind(rebuild_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        if done {
            return Ok(false);
        }
        empty_messages.await?;
        sqlx::query(
            "TRUNCATE chats, chat_activity, chat_participants, chat_telegram_links, \
             chat_read_positions, message_search, message_edits, user_directory, \
             telegram_user_directory, projection_checkpoints",
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        sqlx::query("INSERT INTO read_model_rebuilds (rebuild_id) VALUES ($1)")
            .bind(rebuild_id)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(true)
    }
}

/// Runs one row write inside the event's transaction.
async fn write(
    tx: &mut Transaction<'_, Postgres>,
    chat_id: ChatId,
    version: i64,
    row: &RowWrite,
) -> Result<()> {
    let chat = chat_id.as_uuid();
    let query = match row {
        RowWrite::CreateChat(c) => sqlx::query(sqlx::AssertSqlSafe(chat_upsert(
            "chat_type, name, name_version, company_id, created_by, created_at",
            "$3, $4, $2, $5, $6, $7",
            "chat_type = EXCLUDED.chat_type, company_id = EXCLUDED.company_id, \
             created_by = EXCLUDED.created_by, created_at = EXCLUDED.created_at, \
             name = CASE WHEN chats.name_version < EXCLUDED.name_version \
                 THEN EXCLUDED.name ELSE chats.name END, \
             name_version = GREATEST(chats.name_version, EXCLUDED.name_version)",
        )))
        .bind(chat)
        .bind(version)
        .bind(c.chat_type.as_str())
        .bind(c.name.clone())
        .bind(c.company_id)
        .bind(c.created_by.as_uuid())
        .bind(c.created_at),
        RowWrite::RenameChat { name } => sqlx::query(sqlx::AssertSqlSafe(chat_upsert(
            "name, name_version",
            "$3, $2",
            "name = CASE WHEN chats.name_version < EXCLUDED.name_version \
                 THEN EXCLUDED.name ELSE chats.name END, \
             name_version = GREATEST(chats.name_version, EXCLUDED.name_version)",
        )))
        .bind(chat)
        .bind(version)
        .bind(name.clone()),
        RowWrite::SetArchived { archived } => sqlx::query(sqlx::AssertSqlSafe(chat_upsert(
            "is_archived, archived_version",
            "$3, $2",
            "is_archived = CASE WHEN chats.archived_version < EXCLUDED.archived_version \
                 THEN EXCLUDED.is_archived ELSE chats.is_archived END, \
             archived_version = GREATEST(chats.archived_version, EXCLUDED.archived_version)",
        )))
        .bind(chat)
        .bind(version)
        .bind(*archived),
        RowWrite::DeleteChat => {
            // The rows keep the version of their own last event (see PARTICIPANT).
            sqlx::query("UPDATE chat_participants SET is_active = FALSE WHERE chat_id = $1")
                .bind(chat)
                .execute(&mut **tx)
                .await
                .map_err(db)?;
            texts::forget_chat(tx, chat_id).await?;
            sqlx::query(sqlx::AssertSqlSafe(chat_upsert(
                "is_deleted, deleted_version",
                "TRUE, $2",
                "is_deleted = TRUE, \
                 deleted_version = GREATEST(chats.deleted_version, EXCLUDED.deleted_version)",
            )))
            .bind(chat)
            .bind(version)
        }
        RowWrite::SetParticipantCount { count } => sqlx::query(sqlx::AssertSqlSafe(chat_upsert(
            "participant_count, participant_count_version",
            "$3, $2",
            "participant_count = CASE \
                 WHEN chats.participant_count_version < EXCLUDED.participant_count_version \
                 THEN EXCLUDED.participant_count ELSE chats.participant_count END, \
             participant_count_version = GREATEST(chats.participant_count_version, \
                 EXCLUDED.participant_count_version)",
        )))
        .bind(chat)
        .bind(version)
        .bind(i32::try_from(*count).unwrap_or(i32::MAX)),
        RowWrite::SetLastMessage(message) => {
            return last_message::set(tx, chat_id, version, message).await;
        }
        RowWrite::ReviseLastMessage {
            message_id,
            revision,
        } => return last_message::revise(tx, chat_id, version, *message_id, revision).await,
        RowWrite::SetParticipant {
            user_id,
            role,
            active,
            joined,
        } => sqlx::query(PARTICIPANT)
            .bind(chat)
            .bind(user_id.as_uuid())
            .bind(role.as_str())
            .bind(*active)
            .bind(joined.map(|(at, _)| at))
            .bind(if joined.is_some() { version } else { 0 })
            .bind(joined.map(|(_, by)| by.as_uuid()))
            .bind(version),
        RowWrite::SetTelegramLink {
            telegram_chat_id,
            telegram_topic_id,
            linked,
            linked_by,
        } => sqlx::query(TELEGRAM)
            .bind(chat)
            .bind(*telegram_chat_id)
            .bind(*telegram_topic_id)
            .bind(linked_by.map(|(by, _)| by.as_uuid()))
            .bind(linked_by.map(|(_, at)| at))
            .bind(*linked)
            .bind(version),
        RowWrite::Text(text) => return texts::write(tx, chat_id, version, text).await,
        RowWrite::Named { person, name, at } => {
            let (table, key) = match person {
                Person::User(_) => ("user_directory", "user_id"),
                Person::Telegram(_) => ("telegram_user_directory", "telegram_user_id"),
            };
            let sql = format!(
                "INSERT INTO {table} ({key}, display_name, named_at) VALUES ($1, $2, $3) \
                 ON CONFLICT ({key}) DO UPDATE SET display_name = EXCLUDED.display_name, \
                 named_at = EXCLUDED.named_at WHERE {table}.named_at < EXCLUDED.named_at"
            );
            let query = sqlx::query(sqlx::AssertSqlSafe(sql));
            match person {
                Person::User(user) => query.bind(user.as_uuid()),
                Person::Telegram(telegram) => query.bind(*telegram),
            }
            .bind(name.clone())
            .bind(*at)
        }
        RowWrite::ReaderJoined { user_id } => sqlx::query(
            "INSERT INTO chat_read_positions (chat_id, user_id, is_active, joined_version) \
             VALUES ($1, $2, TRUE, $3) ON CONFLICT (chat_id, user_id) DO UPDATE \
             SET is_active = TRUE, joined_version = EXCLUDED.joined_version, unread_count = 0",
        )
        .bind(chat)
        .bind(user_id.as_uuid())
        .bind(version),
        RowWrite::ReaderLeft { user_id } => sqlx::query(
            "UPDATE chat_read_positions SET is_active = FALSE, unread_count = 0 \
             WHERE chat_id = $1 AND user_id = $2",
        )
        .bind(chat)
        .bind(user_id.as_uuid()),
        RowWrite::ReadersClosed => sqlx::query(
            "UPDATE chat_read_positions SET is_active = FALSE, unread_count = 0 \
             WHERE chat_id = $1",
        )
        .bind(chat),
        RowWrite::MessageArrived { position, sender } => sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE chat_read_positions SET unread_count = unread_count + 1 WHERE {COUNTS}"
        )))
        .bind(chat)
        .bind(sender.map(|s| s.as_uuid()))
        .bind(v(*position)),
        RowWrite::MessageWithdrawn { position, sender } => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE chat_read_positions SET unread_count = unread_count - 1 \
                 WHERE {COUNTS} AND unread_count > 0"
            )))
            .bind(chat)
            .bind(sender.map(|s| s.as_uuid()))
            .bind(v(*position))
        }
        RowWrite::ReadUpTo {
            user_id,
            message_id,
            message_version,
            unread_count,
            at,
        } => sqlx::query(
            "UPDATE chat_read_positions SET last_read_message_id = $3, last_read_version = $4, \
             unread_count = $5, read_at = $6 WHERE chat_id = $1 AND user_id = $2",
        )
        .bind(chat)
        .bind(user_id.as_uuid())
        .bind(message_id.as_uuid())
        .bind(v(*message_version))
        .bind(v(*unread_count))
        .bind(*at),
    };
    query.execute(&mut **tx).await.map_err(db)?;
    Ok(())
}
