//! Group commit: the decisions of many chats stored in one transaction.
//!
//! Each table is written by one statement for the whole batch (`UNNEST` of arrays), so a
//! batch costs a handful of round trips and one COMMIT however many chats it holds. Each
//! decision is still checked on its own: events are inserted with `ON CONFLICT DO
//! NOTHING`, a decision whose versions were taken lost the race, and its rows (if some
//! were inserted) are deleted again before the commit; idempotency keys the same way. If
//! a statement fails for the whole batch (a value PostgreSQL refuses, say), every
//! decision is tried again in a transaction of its own, so one bad decision fails alone.

use std::collections::{HashMap, HashSet};

use anyhow::anyhow;
use chat_domain::ChatEvent;
use chat_domain::ChatId;
use chat_domain::chat::events::TelegramLinkChange;
use chat_domain::chat::facts::MessageChange;
use chat_domain::chat::state::MessageAuthor;
use sqlx::types::Json;
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use super::{execute_on_versions, unavailable, version_i64};
use crate::ports::{NewEvents, StoreError};
use crate::relay::OUTBOX_CHANNEL;

type Outcomes = Vec<Result<(), StoreError>>;

/// Stores `batch` (one decision per chat) and answers each decision.
pub(super) async fn append_batch(pool: &PgPool, batch: &[NewEvents]) -> Outcomes {
    match store(pool, batch).await {
        Ok(outcomes) => outcomes,
        Err(e) if batch.len() > 1 => {
            tracing::debug!(error.message = %e, size = batch.len(), "group commit failed; storing each decision alone");
            let mut outcomes = Vec::with_capacity(batch.len());
            for new in batch {
                let alone = store(pool, std::slice::from_ref(new)).await;
                outcomes.push(alone.and_then(|mut o| o.pop().unwrap_or(Ok(()))));
            }
            outcomes
        }
        Err(e) => vec![Err(e)],
    }
}

/// One transaction for the batch; `Err` when it failed as a whole.
async fn store(pool: &PgPool, batch: &[NewEvents]) -> Result<Outcomes, StoreError> {
    let mut outcomes = first_per_chat(batch);
    let attempted: Vec<bool> = outcomes.iter().map(Result::is_ok).collect();
    // Each event is encoded once, for both the events table and the outbox.
    let encoded = batch
        .iter()
        .zip(&attempted)
        .map(|(new, attempted)| {
            if *attempted {
                encode(new)
            } else {
                Ok(Vec::new())
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut tx = pool.begin().await.map_err(unavailable)?;
    let inserted = insert_events(&mut tx, batch, &encoded, &outcomes).await?;
    for (i, new) in batch.iter().enumerate() {
        if outcomes[i].is_err() {
            continue;
        }
        let complete = new
            .envelopes
            .iter()
            .all(|e| inserted.contains(&(new.chat_id.as_uuid(), e.version)));
        if !complete {
            outcomes[i] = Err(StoreError::VersionConflict(new.chat_id));
        }
    }
    for (i, new) in batch.iter().enumerate() {
        if outcomes[i].is_ok() {
            outcomes[i] = claim_telegram_links(&mut tx, new).await?;
        }
    }
    claim_idempotency_keys(&mut tx, batch, &mut outcomes).await?;
    if outcomes.iter().all(Result::is_err) {
        // Nothing to keep: dropping the transaction rolls every insert back.
        return Ok(outcomes);
    }
    withdraw_failed(&mut tx, batch, &attempted, &outcomes, &inserted).await?;
    let stored = standing(batch, &encoded, &outcomes);
    insert_outbox(&mut tx, &stored).await?;
    let stored: Vec<&NewEvents> = stored.iter().map(|(new, _)| *new).collect();
    write_message_index(&mut tx, &stored).await?;
    super::media::write(&mut tx, &stored).await?;
    super::members::write(&mut tx, &stored).await?;
    for new in &stored {
        save_snapshot(&mut tx, new).await?;
    }
    tx.commit().await.map_err(unavailable)?;
    Ok(outcomes)
}

/// Every decision starts standing, but the second of one chat in a batch: both were
/// decided against the same stored version (the first one's outcome was not known yet),
/// so the later one lost the race, and its rows would be indistinguishable from the
/// first one's.
fn first_per_chat(batch: &[NewEvents]) -> Outcomes {
    let mut seen = HashSet::new();
    batch
        .iter()
        .map(|new| {
            if seen.insert(new.chat_id) {
                Ok(())
            } else {
                Err(StoreError::VersionConflict(new.chat_id))
            }
        })
        .collect()
}

/// A decision's events as JSON, in order.
fn encode(new: &NewEvents) -> Result<Vec<String>, StoreError> {
    new.envelopes
        .iter()
        .map(|envelope| {
            serde_json::to_string(envelope)
                .map_err(|e| StoreError::Corrupt(anyhow!("an event does not serialise: {e}")))
        })
        .collect()
}

/// The decisions whose outcome is still `Ok`, with their encoded events.
fn standing<'a>(
    batch: &'a [NewEvents],
    encoded: &'a [Vec<String>],
    outcomes: &Outcomes,
) -> Vec<(&'a NewEvents, &'a [String])> {
    batch
        .iter()
        .zip(encoded)
        .zip(outcomes)
        .filter(|(_, outcome)| outcome.is_ok())
        .map(|((new, json), _)| (new, json.as_slice()))
        .collect()
}

/// Inserts every event of the standing decisions; returns the (chat, version) keys that
/// were free.
async fn insert_events(
    tx: &mut Transaction<'_, Postgres>,
    batch: &[NewEvents],
    encoded: &[Vec<String>],
    outcomes: &Outcomes,
) -> Result<HashSet<(Uuid, u64)>, StoreError> {
    // Rows go in chat order, so two batches that share chats (two replicas racing) wait
    // on each other in the same order and never deadlock.
    let mut ordered = standing(batch, encoded, outcomes);
    ordered.sort_by_key(|(new, _)| new.chat_id.as_uuid());
    let cols = EventColumns::of(&ordered)?;
    let rows: Vec<(Uuid, i64)> = sqlx::query_as(
        "INSERT INTO events (chat_id, version, event_id, event_type, envelope) \
         SELECT c, v, i, t, e::jsonb \
         FROM UNNEST($1::uuid[], $2::int8[], $3::uuid[], $4::text[], $5::text[]) AS u(c, v, i, t, e) \
         ON CONFLICT DO NOTHING RETURNING chat_id, version",
    )
    .bind(&cols.chats)
    .bind(&cols.versions)
    .bind(&cols.ids)
    .bind(&cols.types)
    .bind(&cols.envelopes)
    .fetch_all(&mut **tx)
    .await
    .map_err(unavailable)?;
    Ok(rows
        .into_iter()
        .map(|(chat, version)| (chat, u64::try_from(version).unwrap_or(0)))
        .collect())
}

/// The events of some decisions as columns (the events table's and the outbox's).
#[derive(Default)]
struct EventColumns<'a> {
    chats: Vec<Uuid>,
    versions: Vec<i64>,
    ids: Vec<Uuid>,
    types: Vec<&'a str>,
    envelopes: Vec<&'a str>,
}

impl<'a> EventColumns<'a> {
    fn of(decisions: &[(&'a NewEvents, &'a [String])]) -> Result<Self, StoreError> {
        let mut cols = Self::default();
        for (new, json) in decisions {
            for (envelope, json) in new.envelopes.iter().zip(*json) {
                cols.chats.push(new.chat_id.as_uuid());
                cols.versions.push(version_i64(envelope.version)?);
                cols.ids.push(envelope.event_id.as_uuid());
                cols.types.push(&envelope.event_type);
                cols.envelopes.push(json);
            }
        }
        Ok(cols)
    }
}

/// The first key of the advisory locks that serialise the claims of one supergroup (the
/// second is a hash of its id); the two-key space is apart from the one-key locks.
const TELEGRAM_CLAIM_LOCKS: i32 = 0x7E1E;

/// Keeps `telegram_link_claims` in step with the chat's link: claimed by a link (taken
/// elsewhere, or overlapping a claim of the whole supergroup or of one of its topics:
/// the decision fails), moved with the link when Telegram upgrades a basic group,
/// released by an unlink or a hard delete.
async fn claim_telegram_links(
    tx: &mut Transaction<'_, Postgres>,
    new: &NewEvents,
) -> Result<Result<(), StoreError>, StoreError> {
    for envelope in &new.envelopes {
        let claimed = match &envelope.payload {
            ChatEvent::TelegramChatLinked(link) => {
                claim(
                    tx,
                    new.chat_id,
                    link.telegram_chat_id,
                    link.telegram_topic_id,
                )
                .await?
            }
            ChatEvent::TelegramLinkChanged(changed) => match &changed.change {
                TelegramLinkChange::Moved {
                    to_telegram_chat_id,
                } => {
                    release(tx, new.chat_id).await?;
                    claim(
                        tx,
                        new.chat_id,
                        *to_telegram_chat_id,
                        changed.telegram_topic_id,
                    )
                    .await?
                }
                TelegramLinkChange::Broken { .. } | TelegramLinkChange::Restored => Ok(()),
            },
            ChatEvent::TelegramChatUnlinked(_) | ChatEvent::ChatHardDeleted(_) => {
                release(tx, new.chat_id).await?;
                Ok(())
            }
            _ => Ok(()),
        };
        if claimed.is_err() {
            return Ok(claimed);
        }
    }
    Ok(Ok(()))
}

/// Claims `(telegram_chat_id, topic)` for `chat_id`; the inner error when it overlaps
/// another chat's claim.
async fn claim(
    tx: &mut Transaction<'_, Postgres>,
    chat_id: ChatId,
    telegram_chat_id: i64,
    telegram_topic_id: Option<i64>,
) -> Result<Result<(), StoreError>, StoreError> {
    // A whole supergroup (topic 0) overlaps every topic of it, which no key expresses,
    // so claims of one supergroup are serialised by a lock and the claim checks for an
    // overlap. The lock is its own statement: the check's snapshot must be taken after
    // the lock is held, or it could miss a claim committed while it waited.
    sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext($2::text))")
        .bind(TELEGRAM_CLAIM_LOCKS)
        .bind(telegram_chat_id)
        .execute(&mut **tx)
        .await
        .map_err(unavailable)?;
    let claimed = sqlx::query(
        "INSERT INTO telegram_link_claims (telegram_chat_id, telegram_topic_id, chat_id) \
         SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM telegram_link_claims \
             WHERE telegram_chat_id = $1 \
             AND (telegram_topic_id = 0 OR $2 = 0 OR telegram_topic_id = $2)) \
         ON CONFLICT DO NOTHING",
    )
    .bind(telegram_chat_id)
    .bind(telegram_topic_id.unwrap_or(0))
    .bind(chat_id.as_uuid())
    .execute(&mut **tx)
    .await
    .map_err(unavailable)?
    .rows_affected();
    Ok(if claimed == 0 {
        Err(StoreError::TelegramChatTaken {
            telegram_chat_id,
            telegram_topic_id,
        })
    } else {
        Ok(())
    })
}

/// Releases every claim of `chat_id`.
async fn release(tx: &mut Transaction<'_, Postgres>, chat_id: ChatId) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM telegram_link_claims WHERE chat_id = $1")
        .bind(chat_id.as_uuid())
        .execute(&mut **tx)
        .await
        .map_err(unavailable)?;
    Ok(())
}

/// Claims the idempotency keys of the decisions still standing; a key another request
/// holds fails its decision. (Sends carry keys; they never link Telegram, so a key that
/// fails undoes no link claim.)
async fn claim_idempotency_keys(
    tx: &mut Transaction<'_, Postgres>,
    batch: &[NewEvents],
    outcomes: &mut Outcomes,
) -> Result<(), StoreError> {
    let claims: Vec<(usize, &crate::ports::IdempotencyClaim)> = batch
        .iter()
        .enumerate()
        .filter(|(i, _)| outcomes[*i].is_ok())
        .filter_map(|(i, new)| new.idempotency.as_ref().map(|c| (i, c)))
        .collect();
    if claims.is_empty() {
        return Ok(());
    }
    let users: Vec<Uuid> = claims.iter().map(|(_, c)| c.user_id.as_uuid()).collect();
    let keys: Vec<&str> = claims.iter().map(|(_, c)| c.key.as_str()).collect();
    let chats: Vec<Uuid> = claims.iter().map(|(_, c)| c.chat_id.as_uuid()).collect();
    let messages: Vec<Uuid> = claims.iter().map(|(_, c)| c.message_id.as_uuid()).collect();
    let won: HashSet<Uuid> = sqlx::query_scalar(
        "INSERT INTO idempotency_keys (user_id, idempotency_key, chat_id, message_id) \
         SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::uuid[], $4::uuid[]) \
         ON CONFLICT DO NOTHING RETURNING chat_id",
    )
    .bind(&users)
    .bind(&keys)
    .bind(&chats)
    .bind(&messages)
    .fetch_all(&mut **tx)
    .await
    .map_err(unavailable)?
    .into_iter()
    .collect();
    for (i, claim) in claims {
        // One decision per chat stands, so the chat names the claim that won.
        if !won.contains(&claim.chat_id.as_uuid()) {
            outcomes[i] = Err(StoreError::IdempotencyKeyTaken);
        }
    }
    Ok(())
}

/// Deletes the events a failed decision managed to insert (its other versions were
/// taken, or its key was), so it leaves nothing behind. Only decisions that were
/// `attempted` inserted anything.
async fn withdraw_failed(
    tx: &mut Transaction<'_, Postgres>,
    batch: &[NewEvents],
    attempted: &[bool],
    outcomes: &Outcomes,
    inserted: &HashSet<(Uuid, u64)>,
) -> Result<(), StoreError> {
    let mut chats = Vec::new();
    let mut versions = Vec::new();
    for ((new, outcome), attempted) in batch.iter().zip(outcomes).zip(attempted) {
        if *attempted && outcome.is_err() {
            for envelope in &new.envelopes {
                if inserted.contains(&(new.chat_id.as_uuid(), envelope.version)) {
                    chats.push(new.chat_id.as_uuid());
                    versions.push(version_i64(envelope.version)?);
                }
            }
        }
    }
    if chats.is_empty() {
        return Ok(());
    }
    execute_on_versions(
        tx,
        "DELETE FROM events WHERE (chat_id, version) IN \
         (SELECT * FROM UNNEST($1::uuid[], $2::int8[]))",
        &chats,
        &versions,
    )
    .await
}

/// The stored events' outbox rows; wakes the relay.
async fn insert_outbox(
    tx: &mut Transaction<'_, Postgres>,
    stored: &[(&NewEvents, &[String])],
) -> Result<(), StoreError> {
    let cols = EventColumns::of(stored)?;
    let mut traces = Vec::with_capacity(cols.chats.len());
    for (new, _) in stored {
        let trace = serde_json::to_string(&new.trace_context)
            .map_err(|e| StoreError::Corrupt(anyhow!("a trace context does not serialise: {e}")))?;
        traces.extend(std::iter::repeat_n(trace, new.envelopes.len()));
    }
    // The same statement wakes the relay once the transaction commits (PostgreSQL
    // delivers notifications on commit).
    sqlx::query(
        "WITH queued AS ( \
             INSERT INTO outbox (chat_id, version, event_id, envelope, trace_context) \
             SELECT c, v, i, e::jsonb, t::jsonb \
             FROM UNNEST($1::uuid[], $2::int8[], $3::uuid[], $4::text[], $5::text[]) \
                 AS u(c, v, i, e, t) \
             RETURNING 1) \
         SELECT pg_notify($6, '') FROM (SELECT 1 FROM queued LIMIT 1) AS any_row",
    )
    .bind(&cols.chats)
    .bind(&cols.versions)
    .bind(&cols.ids)
    .bind(&cols.envelopes)
    .bind(&traces)
    .bind(OUTBOX_CHANNEL)
    .execute(&mut **tx)
    .await
    .map_err(unavailable)?;
    Ok(())
}

/// The message index rows the stored events change: new messages inserted, then each
/// changed message's last text (`NULL` once deleted).
async fn write_message_index(
    tx: &mut Transaction<'_, Postgres>,
    stored: &[&NewEvents],
) -> Result<(), StoreError> {
    let mut added = AddedColumns::default();
    let mut changed: HashMap<(Uuid, Uuid), Option<&str>> = HashMap::new();
    for new in stored {
        let chat = new.chat_id.as_uuid();
        for envelope in &new.envelopes {
            match envelope.payload.message_change() {
                Some(MessageChange::Added {
                    id,
                    record,
                    telegram,
                }) => added.push(chat, id.as_uuid(), &record, telegram)?,
                Some(MessageChange::Edited { id, content }) => {
                    changed.insert((chat, id.as_uuid()), Some(content));
                }
                Some(MessageChange::Deleted { id }) => {
                    changed.insert((chat, id.as_uuid()), None);
                }
                None => {}
            }
        }
    }
    if !added.chats.is_empty() {
        added.insert(tx).await?;
    }
    if changed.is_empty() {
        return Ok(());
    }
    let (keys, texts): (Vec<(Uuid, Uuid)>, Vec<Option<&str>>) = changed.into_iter().unzip();
    let (chats, ids): (Vec<Uuid>, Vec<Uuid>) = keys.into_iter().unzip();
    sqlx::query(
        "UPDATE message_index m SET content = u.t \
         FROM UNNEST($1::uuid[], $2::uuid[], $3::text[]) AS u(c, i, t) \
         WHERE m.chat_id = u.c AND m.message_id = u.i",
    )
    .bind(&chats)
    .bind(&ids)
    .bind(&texts)
    .execute(&mut **tx)
    .await
    .map_err(unavailable)?;
    Ok(())
}

/// New message index rows as columns.
#[derive(Default)]
struct AddedColumns {
    chats: Vec<Uuid>,
    ids: Vec<Uuid>,
    positions: Vec<i64>,
    users: Vec<Option<Uuid>>,
    telegram_users: Vec<Option<i64>>,
    contents: Vec<Option<String>>,
    telegram_chats: Vec<Option<i64>>,
    telegram_messages: Vec<Option<i64>>,
    attachment_keys: Vec<Option<String>>,
}

impl AddedColumns {
    fn push(
        &mut self,
        chat: Uuid,
        id: Uuid,
        record: &chat_domain::chat::state::MessageRecord,
        telegram: Option<(i64, i64)>,
    ) -> Result<(), StoreError> {
        let (user, telegram_user) = match record.author {
            MessageAuthor::User(user) => (Some(user.as_uuid()), None),
            MessageAuthor::Telegram { telegram_user_id } => (None, Some(telegram_user_id)),
            // A notice has neither.
            MessageAuthor::System => (None, None),
        };
        self.chats.push(chat);
        self.ids.push(id);
        self.positions.push(version_i64(record.position)?);
        self.users.push(user);
        self.telegram_users.push(telegram_user);
        self.contents.push(record.content.clone());
        self.telegram_chats.push(telegram.map(|(c, _)| c));
        self.telegram_messages.push(telegram.map(|(_, m)| m));
        self.attachment_keys.push(record.attachment_key.clone());
        Ok(())
    }

    async fn insert(&self, tx: &mut Transaction<'_, Postgres>) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO message_index (chat_id, message_id, position, author_user_id, \
             author_telegram_user_id, content, telegram_chat_id, telegram_message_id, \
             attachment_key) \
             SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::int8[], $4::uuid[], $5::int8[], \
             $6::text[], $7::int8[], $8::int8[], $9::text[])",
        )
        .bind(&self.chats)
        .bind(&self.ids)
        .bind(&self.positions)
        .bind(&self.users)
        .bind(&self.telegram_users)
        .bind(&self.contents)
        .bind(&self.telegram_chats)
        .bind(&self.telegram_messages)
        .bind(&self.attachment_keys)
        .execute(&mut **tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.constraint() == Some("message_index_attachment") => {
                StoreError::AttachmentTaken
            }
            _ => unavailable(e),
        })?;
        Ok(())
    }
}

async fn save_snapshot(
    tx: &mut Transaction<'_, Postgres>,
    new: &NewEvents,
) -> Result<(), StoreError> {
    let Some(state) = &new.snapshot else {
        return Ok(());
    };
    sqlx::query(
        "INSERT INTO snapshots (chat_id, version, state) VALUES ($1, $2, $3) \
         ON CONFLICT (chat_id) DO UPDATE SET version = EXCLUDED.version, \
         state = EXCLUDED.state, taken_at = now() WHERE snapshots.version < EXCLUDED.version",
    )
    .bind(new.chat_id.as_uuid())
    .bind(version_i64(state.version())?)
    .bind(Json(state))
    .execute(&mut **tx)
    .await
    .map_err(unavailable)?;
    Ok(())
}
