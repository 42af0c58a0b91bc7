-- telegram-bridge: a chat message longer than one Telegram message is posted in parts.
-- Its row in telegram_bridge_messages maps the first part (what replies point at, what
-- carries the message's origin, version and deleted flag); this table maps the others,
-- each recorded right after Telegram accepted it, so a restart in the middle of a
-- message posts only the parts not yet posted. `part` numbers the parts in the order
-- they were posted (1, 2, ...); an edit that needs fewer parts deletes the surplus and
-- their rows, one that needs more posts new ones numbered after the last.
CREATE TABLE IF NOT EXISTS telegram_bridge_message_parts (
    chat_id             UUID        NOT NULL,
    message_id          UUID        NOT NULL,
    part                INTEGER     NOT NULL CHECK (part >= 1),
    telegram_chat_id    BIGINT      NOT NULL,
    telegram_message_id BIGINT      NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (chat_id, message_id, part),
    -- Inbound edits, deletes and replies find the chat message by any of its parts.
    UNIQUE (telegram_chat_id, telegram_message_id)
);
