-- telegram-bridge: a link whose supergroup the bot cannot reach any more (kicked,
-- banned, not allowed to write: CHAT_WRITE_FORBIDDEN, CHANNEL_PRIVATE, ...) is marked
-- broken with Telegram's error and when it was first seen, so operators find it (also
-- through the telegram_links_broken gauge). The chat events the bridge could not mirror
-- meanwhile are on the dead-letter topic. The next successful call into the group, or
-- a newer link or unlink event of the chat, clears the mark.
ALTER TABLE telegram_bridge_links
    ADD COLUMN IF NOT EXISTS broken_reason TEXT,
    ADD COLUMN IF NOT EXISTS broken_at     TIMESTAMPTZ;
