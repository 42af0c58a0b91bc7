-- Media messages (issue 15): the uploads participants asked for, which message holds
-- which object, and the hard-deleted chats whose objects are still to be removed. All
-- three belong to command-api's write side.

-- An upload a participant asked for (POST /api/chats/{id}/attachments): what they said
-- they would put at `object_key` (`chats/{chat_id}/{upload_id}`), through a pre-signed
-- PUT valid until `expires_at`. A send may name it once: same chat, same user, before
-- it expires, once the object is there with the declared size. Housekeeping removes
-- the object and the row of an upload no message took after it expired, and of one
-- whose message was deleted.
CREATE TABLE IF NOT EXISTS attachment_uploads (
    upload_id   UUID        PRIMARY KEY,
    chat_id     UUID        NOT NULL,
    user_id     UUID        NOT NULL,
    object_key  TEXT        NOT NULL UNIQUE,
    kind        TEXT        NOT NULL,
    name        TEXT        NOT NULL,
    size        BIGINT      NOT NULL,
    mime_type   TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ NOT NULL,
    -- The message that took it; NULL while none has.
    message_id  UUID
);
-- Housekeeping's scan for expired uploads no message took.
CREATE INDEX IF NOT EXISTS attachment_uploads_unreferenced
    ON attachment_uploads (expires_at) WHERE message_id IS NULL;
-- A hard delete's removal of a chat's rows.
CREATE INDEX IF NOT EXISTS attachment_uploads_chat ON attachment_uploads (chat_id);

-- The write side's message index knows a media message's object, written with the
-- events: a message takes an object once (the unique index turns a second send of one
-- upload into a failed append, never two messages sharing a file that one delete would
-- take from the other), and a deleted message keeps the key until housekeeping removed
-- the object (then it is set to NULL).
ALTER TABLE message_index ADD COLUMN IF NOT EXISTS attachment_key TEXT;
CREATE UNIQUE INDEX IF NOT EXISTS message_index_attachment
    ON message_index (attachment_key) WHERE attachment_key IS NOT NULL;
-- Housekeeping's scan for deleted messages whose object is still stored.
CREATE INDEX IF NOT EXISTS message_index_deleted_attachment
    ON message_index (chat_id) WHERE content IS NULL AND attachment_key IS NOT NULL;

-- Chats hard-deleted whose objects (every key under `chats/{chat_id}/`) are still to be
-- removed: written in the transaction that stores `chat_hard_deleted`, so no hard
-- delete is forgotten; housekeeping removes the objects, then the row.
CREATE TABLE IF NOT EXISTS media_purges (
    chat_id      UUID        PRIMARY KEY,
    requested_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
