-- What the chat was last told of its link's health (telegram-bridge's link notices):
-- the broken reason of the last "lost the group" notice, NULL once told it is healthy
-- (or never told anything). A link whose `broken_reason` differs from it has a notice
-- to post; the bridge posts it and records what it told, so a notice lost to a crash
-- or an unavailable command-api is posted on the next round, and none twice.
ALTER TABLE telegram_bridge_links
    ADD COLUMN IF NOT EXISTS notified_reason TEXT NULL;
