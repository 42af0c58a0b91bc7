-- Read models of the chat backend (PostgreSQL side), written by projector-sync and
-- projector-async from the `chat.events` topic and read by command-api's GET routes and
-- the WebSocket gateway.
--
-- Idempotency: every row carries the version(s) of the event(s) that last wrote it, and
-- every write is an upsert guarded by them (`... WHERE version < $v`), so a redelivered or
-- older event changes nothing. The two projectors run at different offsets, so an ASYNC
-- event may reach a row before the SYNC event that creates it: writes upsert partial rows
-- and guard each independently written column by its own version.

-- One row per chat. `chat_type` is NULL until ChatCreated is projected (an ASYNC event of
-- the same chat may have arrived first): readers treat such a row as not yet existing.
CREATE TABLE IF NOT EXISTS chats (
    id                        UUID        PRIMARY KEY,
    chat_type                 TEXT,
    name                      TEXT,
    name_version              BIGINT      NOT NULL DEFAULT 0,
    company_id                UUID,
    created_by                UUID,
    created_at                TIMESTAMPTZ,
    is_archived               BOOLEAN     NOT NULL DEFAULT FALSE,
    archived_version          BIGINT      NOT NULL DEFAULT 0,
    -- Hard delete leaves a tombstone, so a late older event cannot resurrect the chat.
    is_deleted                BOOLEAN     NOT NULL DEFAULT FALSE,
    deleted_version           BIGINT      NOT NULL DEFAULT 0,
    participant_count         INT         NOT NULL DEFAULT 0,
    participant_count_version BIGINT      NOT NULL DEFAULT 0,
    -- The newest message (its content lives in the CQL `messages` table).
    last_message_id           UUID,
    last_message_at           TIMESTAMPTZ,
    last_message_version      BIGINT      NOT NULL DEFAULT 0,
    -- The time buckets (see chat-read-model) of the oldest and newest message, so
    -- history paging knows where a chat's messages end.
    oldest_bucket             INT,
    newest_bucket             INT,
    -- The newest event applied to this row by either projector.
    version                   BIGINT      NOT NULL DEFAULT 0,
    updated_at                TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Who is in which chat. One row per (chat, user) ever added; leaving or removal keeps the
-- row with is_active = FALSE. The WebSocket gateway reads a user's chats from here:
-- `WHERE user_id = $1 AND is_active`.
CREATE TABLE IF NOT EXISTS chat_participants (
    chat_id        UUID        NOT NULL,
    user_id        UUID        NOT NULL,
    role           TEXT        NOT NULL,
    is_active      BOOLEAN     NOT NULL,
    joined_at      TIMESTAMPTZ,
    joined_version BIGINT      NOT NULL DEFAULT 0,
    added_by       UUID,
    -- The newest participant event about this user (role and is_active follow it).
    version        BIGINT      NOT NULL,
    PRIMARY KEY (chat_id, user_id)
);
CREATE INDEX IF NOT EXISTS chat_participants_active_by_user
    ON chat_participants (user_id, chat_id) WHERE is_active;

-- The Telegram supergroup (and forum topic) a chat mirrors. Unlinking keeps the row with
-- is_linked = FALSE (a tombstone against late older events).
CREATE TABLE IF NOT EXISTS chat_telegram_links (
    chat_id           UUID        PRIMARY KEY,
    telegram_chat_id  BIGINT      NOT NULL,
    telegram_topic_id BIGINT,
    linked_by         UUID,
    linked_at         TIMESTAMPTZ,
    is_linked         BOOLEAN     NOT NULL,
    version           BIGINT      NOT NULL
);

-- Per user per chat read bookkeeping for exact unread counts (owned by projector-async,
-- which applies every event that moves a count, in order, under its per-chat checkpoint).
-- The read position itself is also written to the CQL `message_read_status` table.
CREATE TABLE IF NOT EXISTS chat_read_positions (
    chat_id              UUID        NOT NULL,
    user_id              UUID        NOT NULL,
    is_active            BOOLEAN     NOT NULL,
    joined_version       BIGINT      NOT NULL,
    last_read_message_id UUID,
    last_read_version    BIGINT      NOT NULL DEFAULT 0,
    read_at              TIMESTAMPTZ,
    unread_count         BIGINT      NOT NULL DEFAULT 0 CHECK (unread_count >= 0),
    PRIMARY KEY (chat_id, user_id)
);

-- How far each projector got in each chat: written in the same transaction as the
-- projection, so "applied" and "checkpointed" are one fact. projector-sync also sends
-- `pg_notify('projection_applied', '<chat_id>:<version>')` in that transaction;
-- command-api waits on it for read-your-writes.
CREATE TABLE IF NOT EXISTS projection_checkpoints (
    projector  TEXT        NOT NULL,
    chat_id    UUID        NOT NULL,
    version    BIGINT      NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (projector, chat_id)
);

-- Rebuilds of the read side: the first projector started with `--rebuild <id>` empties the
-- read models and records the id here (in one transaction), so the other projector
-- started with the same id replays into them without emptying them again.
CREATE TABLE IF NOT EXISTS read_model_rebuilds (
    rebuild_id TEXT        PRIMARY KEY,
    started_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
