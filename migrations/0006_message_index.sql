-- The write side's message index: what the chat's rules need to know of a message, looked
-- up for the one message a command names (the aggregate's state keeps no messages, so it
-- stays as small for a chat's millionth message as for its first). Written by command-api
-- in the same transaction as the events that change it; never read by the read side.
CREATE TABLE IF NOT EXISTS message_index (
    chat_id                 UUID   NOT NULL,
    message_id              UUID   NOT NULL,
    -- The version of the event that sent it: its place in the chat.
    position                BIGINT NOT NULL,
    -- The author: a platform user, or (from the bridge) a Telegram user.
    author_user_id          UUID,
    author_telegram_user_id BIGINT,
    -- The current text (edits need it as `previous_content`); NULL once deleted.
    content                 TEXT,
    -- (supergroup, message id) of a message received from Telegram.
    telegram_chat_id        BIGINT,
    telegram_message_id     BIGINT,
    PRIMARY KEY (chat_id, message_id)
);
-- Exact unread counts at mark-read: the live messages after a position, with their author,
-- from the index alone.
CREATE INDEX IF NOT EXISTS message_index_live
    ON message_index (chat_id, position) INCLUDE (author_user_id) WHERE content IS NOT NULL;
-- A Telegram message is received once per chat.
CREATE UNIQUE INDEX IF NOT EXISTS message_index_telegram
    ON message_index (chat_id, telegram_chat_id, telegram_message_id)
    WHERE telegram_message_id IS NOT NULL;

-- Chats written before the index existed: their messages, from their events.
INSERT INTO message_index (chat_id, message_id, position, author_user_id,
                           author_telegram_user_id, content, telegram_chat_id,
                           telegram_message_id)
SELECT chat_id, (envelope #>> '{payload,message_id}')::uuid, version,
       (envelope #>> '{payload,sender_id}')::uuid,
       (envelope #>> '{payload,telegram_user_id}')::bigint,
       envelope #>> '{payload,content}',
       (envelope #>> '{payload,telegram_chat_id}')::bigint,
       (envelope #>> '{payload,telegram_message_id}')::bigint
FROM events
WHERE event_type IN ('message_sent', 'telegram_message_received')
ON CONFLICT DO NOTHING;

UPDATE message_index m SET content = latest.content
FROM (
    SELECT DISTINCT ON (chat_id, envelope #>> '{payload,message_id}')
           chat_id, (envelope #>> '{payload,message_id}')::uuid AS message_id,
           envelope #>> '{payload,content}' AS content
    FROM events
    WHERE event_type = 'message_edited'
    ORDER BY chat_id, envelope #>> '{payload,message_id}', version DESC
) latest
WHERE m.chat_id = latest.chat_id AND m.message_id = latest.message_id;

UPDATE message_index m SET content = NULL
FROM events e
WHERE e.event_type = 'message_deleted' AND m.chat_id = e.chat_id
  AND m.message_id = (e.envelope #>> '{payload,message_id}')::uuid;
