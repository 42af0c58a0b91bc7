-- The event store: the source of truth for every chat aggregate.
-- One row per event; (chat_id, version) is the optimistic-concurrency guard: two writers
-- deciding against the same version collide on the primary key, and one of them retries.
CREATE TABLE IF NOT EXISTS events (
    chat_id     UUID        NOT NULL,
    version     BIGINT      NOT NULL CHECK (version > 0),
    event_id    UUID        NOT NULL UNIQUE,
    event_type  TEXT        NOT NULL,
    envelope    JSONB       NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (chat_id, version)
);

-- Snapshots of aggregate state, so a long-lived chat loads from its latest snapshot plus the
-- events after it instead of its whole history.
CREATE TABLE IF NOT EXISTS snapshots (
    chat_id  UUID        PRIMARY KEY,
    version  BIGINT      NOT NULL,
    state    JSONB       NOT NULL,
    taken_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The transactional outbox: written in the same transaction as the events, drained to
-- Kafka by the relay in id order (which is version order per chat).
CREATE TABLE IF NOT EXISTS outbox (
    id            BIGSERIAL   PRIMARY KEY,
    chat_id       UUID        NOT NULL,
    version       BIGINT      NOT NULL,
    event_id      UUID        NOT NULL UNIQUE,
    envelope      JSONB       NOT NULL,
    trace_context JSONB       NOT NULL DEFAULT '{}'::jsonb,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    published_at  TIMESTAMPTZ
);
-- The relay only ever scans what is still unpublished.
CREATE INDEX IF NOT EXISTS outbox_unpublished ON outbox (id) WHERE published_at IS NULL;

-- Idempotent sends: the same key from the same user returns the original message.
CREATE TABLE IF NOT EXISTS idempotency_keys (
    user_id         UUID        NOT NULL,
    idempotency_key TEXT        NOT NULL,
    chat_id         UUID        NOT NULL,
    message_id      UUID        NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, idempotency_key)
);
