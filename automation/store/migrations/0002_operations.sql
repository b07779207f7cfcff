-- The operation queue shared by every replica: preview creates, updates and
-- destroys, claimed by any replica, one running per stack; their engine
-- events and log lines; and the GitHub deliveries already handled.

CREATE TABLE operations (
  id text PRIMARY KEY,
  seq bigserial NOT NULL UNIQUE,          -- submission order (FIFO per stack)
  kind text NOT NULL,
  stack text NOT NULL,
  actor text NOT NULL,
  cause text NOT NULL,
  subject jsonb NOT NULL,
  desired_key text NOT NULL,
  payload jsonb NOT NULL,                 -- what any replica needs to run it
  status text NOT NULL,                   -- queued | running | succeeded | failed
  queued_at timestamptz NOT NULL,
  started_at timestamptz,
  finished_at timestamptz,
  changes jsonb,
  error text,
  attempts integer NOT NULL DEFAULT 0,    -- runs started (more than one after a takeover)
  owner text,                             -- the replica running it
  lease_token bigint                      -- its token on the stack's lease
);
-- One running operation per stack, whatever replica runs it.
CREATE UNIQUE INDEX operations_one_running_per_stack ON operations (stack) WHERE status = 'running';
CREATE INDEX operations_waiting ON operations (seq) WHERE status IN ('queued', 'running');
CREATE INDEX operations_stack ON operations (stack, seq DESC);

CREATE TABLE operation_entries (
  id bigserial PRIMARY KEY,               -- also the event stream's ids
  operation_id text NOT NULL REFERENCES operations (id) ON DELETE CASCADE,
  attempt integer NOT NULL,
  kind text NOT NULL,                     -- 'event' | 'log'
  body jsonb NOT NULL
);
CREATE INDEX operation_entries_operation ON operation_entries (operation_id, id);

CREATE TABLE webhook_deliveries (
  id text PRIMARY KEY,                    -- X-GitHub-Delivery
  event text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_deliveries_received ON webhook_deliveries (received_at);
