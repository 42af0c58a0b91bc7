-- Edit history (`GET /api/chats/{id}/messages/{mid}/history`): one row per edit of a
-- message, with the text before and after it, who edited it and when. A projection
-- written by projector-async from MessageEdited; a message's rows go when it is deleted
-- (its texts must not outlive it), a chat's when it is hard-deleted; rebuilds empty and
-- replay it with the other read models.
CREATE TABLE IF NOT EXISTS message_edits (
    chat_id          UUID        NOT NULL,
    message_id       UUID        NOT NULL,
    -- The chat version of the edit: orders a message's edits.
    version          BIGINT      NOT NULL,
    content          TEXT        NOT NULL,
    previous_content TEXT        NOT NULL,
    -- A user, or NULL for a service (the Telegram bridge mirroring an edit).
    editor_id        UUID,
    -- The user's display name as the token gave it, or the service's name.
    editor_name      TEXT,
    edited_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (chat_id, message_id, version)
);

-- Edits stored before the history existed, of messages that still have a text.
INSERT INTO message_edits (chat_id, message_id, version, content, previous_content,
                           editor_id, editor_name, edited_at)
SELECT e.chat_id, m.message_id, e.version, e.envelope #>> '{payload,content}',
       e.envelope #>> '{payload,previous_content}',
       (e.envelope #>> '{payload,edited_by,id}')::uuid,
       e.envelope #>> '{payload,edited_by,name}',
       (e.envelope #>> '{payload,edited_at}')::timestamptz
FROM events e
JOIN message_index m ON m.chat_id = e.chat_id
    AND m.message_id = (e.envelope #>> '{payload,message_id}')::uuid
WHERE e.event_type = 'message_edited'
  AND m.content IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM events d
                  WHERE d.chat_id = e.chat_id AND d.event_type = 'chat_hard_deleted')
ON CONFLICT DO NOTHING;
