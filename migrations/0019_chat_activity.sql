-- The chat list's order and filters in a narrow table of their own (issue 16).
--
-- A page sorts a user's chats by activity and filters them before it reads the 50 it
-- keeps. Doing that on `chats` itself made the page's cost grow with every message the
-- user's chats ever had: each message rewrites the chat's wide row (it keeps the newest
-- message as JSONB) and, because the covering index `chats_listing` held the activity
-- time, every rewrite was a non-HOT update that added an index entry too. After a
-- million messages in 10,000 chats, `chats` was 25 MB and `chats_listing` 19 MB, and the
-- first page of a user in 2,000 chats read 3,188 pages (16.6 of 19.9 ms).
--
-- Here a chat is one row of some 100 bytes. No index holds `active_at`, and the pages
-- keep half their room free, so a message's write is a HOT update on the same page,
-- which later writes prune: the table stays the size of its chats, however busy they are.
-- projector-sync and projector-async write it in the same statement as the `chats` row
-- it is derived from (see chat-read-model's `pg/rows.rs`), so the two never disagree.
CREATE TABLE IF NOT EXISTS chat_activity (
    chat_id     UUID        PRIMARY KEY,
    -- The chat's last activity: its newest message's time, or its creation's.
    active_at   TIMESTAMPTZ NOT NULL,
    chat_type   TEXT        NOT NULL,
    company_id  UUID,
    -- For the search of chats by name, which sorts and filters here too.
    name        TEXT,
    is_archived BOOLEAN     NOT NULL,
    is_deleted  BOOLEAN     NOT NULL
) WITH (fillfactor = 50);

-- Chats projected before this table existed.
INSERT INTO chat_activity
    (chat_id, active_at, chat_type, company_id, name, is_archived, is_deleted)
SELECT id, COALESCE(last_message_at, created_at), chat_type, company_id, name,
       is_archived, is_deleted
FROM chats
WHERE chat_type IS NOT NULL AND COALESCE(last_message_at, created_at) IS NOT NULL
ON CONFLICT (chat_id) DO NOTHING;

-- The page no longer sorts on `chats`; without this index a message's rewrite of its
-- chat's row can be a HOT update too.
DROP INDEX IF EXISTS chats_listing;
