-- The user directory's Telegram authors (issue 16): each author's display name as their
-- newest mirrored message carried it, so history names an author's older messages by the
-- name they go by now, as it does chat users (`user_directory`). Written by
-- projector-async from `telegram_message_received`; the newest by event time wins.
-- Rebuilds empty and replay it with the other read models.
CREATE TABLE IF NOT EXISTS telegram_user_directory (
    telegram_user_id BIGINT      PRIMARY KEY,
    display_name     TEXT        NOT NULL,
    -- When the message that carried this name was received.
    named_at         TIMESTAMPTZ NOT NULL
);

-- Authors of messages received before the directory kept them: their newest message's name.
INSERT INTO telegram_user_directory (telegram_user_id, display_name, named_at)
SELECT DISTINCT ON ((envelope #>> '{payload,telegram_user_id}')::bigint)
       (envelope #>> '{payload,telegram_user_id}')::bigint,
       envelope #>> '{payload,sender_name}',
       (envelope #>> '{payload,created_at}')::timestamptz
FROM events
WHERE event_type = 'telegram_message_received'
ORDER BY (envelope #>> '{payload,telegram_user_id}')::bigint,
         (envelope #>> '{payload,created_at}')::timestamptz DESC
ON CONFLICT DO NOTHING;
