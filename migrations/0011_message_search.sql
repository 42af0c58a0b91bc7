-- Message search (`GET /api/search/messages`): PostgreSQL full-text search over the live
-- text of every message, a projection written by projector-async (sends, edits, deletes,
-- hard deletes; emptied and replayed by rebuilds like the other read models). command-api
-- restricts every search to the chats the membership authority says the caller is in.
--
-- One `russian` document serves both languages the users write: PostgreSQL's `russian`
-- configuration stems Cyrillic words with the Russian Snowball stemmer and ASCII words
-- with the English one ("сообщения" and "сообщение" are both `сообщен`, "messages" and
-- "message" both `messag`), each with its stop words, so a query needs one tsquery and
-- the index one GIN tree.
CREATE TABLE IF NOT EXISTS message_search (
    chat_id     UUID        NOT NULL,
    message_id  UUID        NOT NULL,
    sender_id   UUID,
    sender_name TEXT,
    created_at  TIMESTAMPTZ NOT NULL,
    content     TEXT        NOT NULL,
    -- The event that wrote the content (a send or the newest edit).
    version     BIGINT      NOT NULL,
    document    TSVECTOR    GENERATED ALWAYS AS (to_tsvector('russian', content)) STORED,
    PRIMARY KEY (chat_id, message_id)
);
CREATE INDEX IF NOT EXISTS message_search_document ON message_search USING GIN (document);

-- Messages projected before the search existed: their current text from the write
-- side's index (NULL once deleted), their facts from the event that sent them.
INSERT INTO message_search (chat_id, message_id, sender_id, sender_name, created_at,
                            content, version)
SELECT e.chat_id, m.message_id, m.author_user_id, e.envelope #>> '{payload,sender_name}',
       (e.envelope #>> '{payload,created_at}')::timestamptz, m.content, e.version
FROM events e
JOIN message_index m ON m.chat_id = e.chat_id
    AND m.message_id = (e.envelope #>> '{payload,message_id}')::uuid
WHERE e.event_type IN ('message_sent', 'telegram_message_received')
  AND m.content IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM events d
                  WHERE d.chat_id = e.chat_id AND d.event_type = 'chat_hard_deleted')
ON CONFLICT DO NOTHING;
