-- The user directory: each user's display name, as the `name` claim of the newest token
-- they acted with says (the events' envelopes carry it). A projection written by
-- projector-async; the newest name by event time wins, so redeliveries and chats
-- projected in parallel agree. Rebuilds empty and replay it with the other read models.
CREATE TABLE IF NOT EXISTS user_directory (
    user_id      UUID        PRIMARY KEY,
    display_name TEXT        NOT NULL,
    -- When the event that carried this name happened.
    named_at     TIMESTAMPTZ NOT NULL
);

-- Users who acted before the directory existed: the name of their newest event.
INSERT INTO user_directory (user_id, display_name, named_at)
SELECT DISTINCT ON ((envelope #>> '{actor,id}')::uuid)
       (envelope #>> '{actor,id}')::uuid, envelope #>> '{actor,name}',
       (envelope #>> '{occurred_at}')::timestamptz
FROM events
WHERE envelope #>> '{actor,kind}' = 'user' AND envelope #>> '{actor,name}' IS NOT NULL
ORDER BY (envelope #>> '{actor,id}')::uuid, (envelope #>> '{occurred_at}')::timestamptz DESC
ON CONFLICT DO NOTHING;
