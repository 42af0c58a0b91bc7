-- The chat list's unread totals (`GET /api/chats/unread`): a user's chats with unread
-- messages, found without reading every chat they are in.
CREATE INDEX IF NOT EXISTS chat_read_positions_unread_by_user
    ON chat_read_positions (user_id) INCLUDE (unread_count)
    WHERE is_active AND unread_count > 0;
