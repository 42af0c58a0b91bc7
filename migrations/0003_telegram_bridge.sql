-- telegram-bridge: its own view of which chats are linked, and the durable id mapping
-- between chat messages and Telegram messages. Only the bridge reads and writes these.

-- Links as the bridge learned them from TelegramChatLinked / TelegramChatUnlinked events.
-- `version` is the chat version of the last link event applied: an older event (a
-- redelivery) never overwrites a newer one.
CREATE TABLE IF NOT EXISTS telegram_bridge_links (
    chat_id           UUID        PRIMARY KEY,
    telegram_chat_id  BIGINT      NOT NULL,
    telegram_topic_id BIGINT,
    linked            BOOLEAN     NOT NULL,
    version           BIGINT      NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- Inbound updates look the chat up by supergroup.
CREATE INDEX IF NOT EXISTS telegram_bridge_links_by_group
    ON telegram_bridge_links (telegram_chat_id) WHERE linked;

-- One row per mirrored message, written right after the other side accepted it, so a
-- restart neither re-sends nor re-posts it. `origin` says which side wrote it first
-- (`chat`: the bridge sent it to Telegram; `telegram`: the bridge posted it to the chat).
-- `last_version` is the chat version of the last event mirrored onto the Telegram copy
-- (send, edit, delete): redelivered edits and deletes at or below it are skipped.
CREATE TABLE IF NOT EXISTS telegram_bridge_messages (
    chat_id             UUID        NOT NULL,
    message_id          UUID        NOT NULL,
    telegram_chat_id    BIGINT      NOT NULL,
    telegram_topic_id   BIGINT,
    telegram_message_id BIGINT      NOT NULL,
    origin              TEXT        NOT NULL CHECK (origin IN ('chat', 'telegram')),
    last_version        BIGINT      NOT NULL,
    deleted             BOOLEAN     NOT NULL DEFAULT false,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (chat_id, message_id),
    UNIQUE (telegram_chat_id, telegram_message_id)
);
