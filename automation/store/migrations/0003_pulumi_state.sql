-- Pulumi's own `postgres://` backend table (pkg/backend/diy/postgres/schema.sql),
-- created here when Pulumi's state shares Rollgate's database (the default):
-- the CLI creates it on first use with CREATE TABLE IF NOT EXISTS, which
-- fails when two replicas' first CLI runs race. Same definition, so the
-- CLI's own statement is then a no-op; unused when PULUMI_BACKEND_URL points
-- elsewhere.
CREATE TABLE IF NOT EXISTS pulumi_state (
  key TEXT PRIMARY KEY,
  data JSON NOT NULL,
  updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS pulumi_state_key_prefix_idx ON pulumi_state (key text_pattern_ops);
