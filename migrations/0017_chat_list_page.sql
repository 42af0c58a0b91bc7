-- A chat list page in one query that reads 50 chat rows, not 2,000.
--
-- A chat's newest message as it is now (edited or deleted), kept with the chat so a page
-- needs no read of the messages store per chat. projector-sync writes it beside
-- last_message_id under the same version guard and revises it on the message's edits
-- and deletes. NULL for chats whose newest message was projected before this column
-- existed: the API reads those from the messages store.
ALTER TABLE chats ADD COLUMN IF NOT EXISTS last_message JSONB;

-- What ordering and filtering a user's chats needs, without their wide rows (the
-- newest message above makes a row several hundred bytes): a page sorts the user's
-- chats by activity on this index alone and then reads the rows of the 50 it keeps.
CREATE INDEX IF NOT EXISTS chats_listing ON chats (id)
    INCLUDE (last_message_at, created_at, is_archived, is_deleted, chat_type, company_id);
