-- The membership authority: who is in which chat, as the write side knows it. command-api
-- writes it in the same transaction as the events that change a membership (added,
-- removed, left, role changed, chat hard-deleted), so REST reads and a gateway seeding a
-- new socket see a revocation the moment it is stored, however far the projectors lag.
-- (The read model `chat_participants` still serves the participant lists.)
CREATE TABLE IF NOT EXISTS chat_members (
    chat_id        UUID    NOT NULL,
    user_id        UUID    NOT NULL,
    role           TEXT    NOT NULL,
    is_active      BOOLEAN NOT NULL,
    -- The version of the ParticipantAdded that (last) added the user.
    joined_version BIGINT  NOT NULL,
    -- The version of the newest event about this membership.
    version        BIGINT  NOT NULL,
    PRIMARY KEY (chat_id, user_id)
);
-- A user's chats (the gateway's first look at a socket, the chat list's filter).
CREATE INDEX IF NOT EXISTS chat_members_by_user ON chat_members (user_id, chat_id);

-- Chats written before the authority existed: each membership from its newest event.
INSERT INTO chat_members (chat_id, user_id, role, is_active, joined_version, version)
SELECT DISTINCT ON (chat_id, user_id)
       chat_id, user_id, role,
       event_type IN ('participant_added', 'participant_role_changed'),
       COALESCE(joined_version, 0), version
FROM (
    SELECT chat_id, (envelope #>> '{payload,user_id}')::uuid AS user_id,
           envelope #>> '{payload,role}' AS role, event_type, version,
           max(version) FILTER (WHERE event_type = 'participant_added')
               OVER (PARTITION BY chat_id, envelope #>> '{payload,user_id}') AS joined_version
    FROM events
    WHERE event_type IN ('participant_added', 'participant_role_changed',
                         'participant_removed', 'participant_left')
) AS membership_events
ORDER BY chat_id, user_id, version DESC
ON CONFLICT DO NOTHING;

UPDATE chat_members m SET is_active = FALSE, version = deleted.version
FROM (SELECT chat_id, version FROM events WHERE event_type = 'chat_hard_deleted') AS deleted
WHERE m.chat_id = deleted.chat_id AND m.version < deleted.version;
