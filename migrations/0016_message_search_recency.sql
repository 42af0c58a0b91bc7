-- Message search a window at a time (crates/chat-read-model/src/search.rs): the newest
-- matches of a query first. For a word in many messages the planner walks this index
-- backwards and stops after a window's worth of matches, instead of reading every match
-- the text index names; a rare word still comes from the text index.
CREATE INDEX IF NOT EXISTS message_search_recency
    ON message_search (created_at DESC, message_id DESC);
