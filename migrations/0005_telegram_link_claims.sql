-- One chat per Telegram supergroup (or forum topic of one): a rule across chats, so the
-- write path enforces it with this key, in the same transaction as the link event.
CREATE TABLE IF NOT EXISTS telegram_link_claims (
    telegram_chat_id  BIGINT NOT NULL,
    -- 0 stands for "the whole supergroup" (a primary key cannot hold NULL).
    telegram_topic_id BIGINT NOT NULL,
    chat_id           UUID   NOT NULL UNIQUE,
    PRIMARY KEY (telegram_chat_id, telegram_topic_id)
);
