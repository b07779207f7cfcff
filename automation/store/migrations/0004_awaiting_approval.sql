-- A release awaiting a second person's approval is active too: still one active release per environment.
DROP INDEX releases_one_active_per_environment;
CREATE UNIQUE INDEX releases_one_active_per_environment ON releases (environment) WHERE status IN ('awaitingApproval', 'progressing', 'paused');
