-- Reusable message templates (the seed's template queries). Managed by operators; the
-- API only reads the active ones. No rows are seeded.
CREATE TABLE IF NOT EXISTS message_templates (
    id         UUID        PRIMARY KEY,
    name       TEXT        NOT NULL,
    category   TEXT        NOT NULL,
    body       JSONB       NOT NULL,
    is_active  BOOLEAN     NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS message_templates_active_by_category
    ON message_templates (category, name) WHERE is_active;
