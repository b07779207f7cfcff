-- Rollgate's records: audit trail, releases and their commands, preview
-- journal, stack config, and the leases that coordinate replicas.

-- Fencing tokens: every lease acquisition takes the next value, so a newer
-- holder's token is always larger than an older one's.
CREATE SEQUENCE rollgate_fencing_tokens;

CREATE TABLE leases (
  name text PRIMARY KEY,                 -- 'stack:<stack>' or 'release:<id>'
  holder text,                           -- replica id; NULL once released
  holder_host text NOT NULL,
  token bigint NOT NULL,
  acquired_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  released_at timestamptz
);

-- Every tenure of every lease (pruned after 30 days): a Pulumi lock taken
-- during an ended tenure, from its holder's host, is stale.
CREATE TABLE lease_tenures (
  name text NOT NULL,
  token bigint NOT NULL,
  holder_host text NOT NULL,
  acquired_at timestamptz NOT NULL,
  released_at timestamptz,               -- NULL while held, or when it ended by expiring
  PRIMARY KEY (name, token)
);

CREATE TABLE audit_records (
  id text PRIMARY KEY,                   -- <13-digit epoch ms>-<12 hex>: newest first is id DESC
  at timestamptz NOT NULL,
  environment text NOT NULL,
  record jsonb NOT NULL
);
CREATE INDEX audit_records_environment ON audit_records (environment, id DESC);

CREATE TABLE releases (
  id text PRIMARY KEY,
  environment text NOT NULL,
  status text NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  record jsonb NOT NULL,
  fence bigint NOT NULL DEFAULT 0,       -- token of the lease the last write was made under
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- "One active release per environment" is a constraint, not a check followed by a write.
CREATE UNIQUE INDEX releases_one_active_per_environment ON releases (environment) WHERE status IN ('progressing', 'paused');
CREATE INDEX releases_environment_started ON releases (environment, started_at, id);
CREATE INDEX releases_started ON releases (started_at, id);

-- Commands sent to any replica; the holder of the release's lease applies them in order.
CREATE TABLE release_commands (
  id bigserial PRIMARY KEY,
  release_id text NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
  command text NOT NULL,
  actor text NOT NULL,
  reason text,
  requested_at timestamptz NOT NULL DEFAULT now(),
  handled_at timestamptz,
  outcome text                           -- 'applied', or why it was refused
);
CREATE INDEX release_commands_pending ON release_commands (release_id, id) WHERE handled_at IS NULL;

CREATE TABLE preview_journal (
  stack text PRIMARY KEY,
  pr integer NOT NULL,
  record jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Each stack's Pulumi.<stack>.yaml, versioned; written under the stack's lease.
CREATE TABLE stack_configs (
  stack text PRIMARY KEY,
  content text NOT NULL,
  version bigint NOT NULL,
  fence bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);
