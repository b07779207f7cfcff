/**
 * Leases with fencing tokens: who may drive a release or run Pulumi on a
 * stack, across every replica. A lease is held until its holder releases it
 * or stops renewing it for `ttlMs`; each acquisition takes a new token from
 * one sequence, so a later holder's token is always larger. Writes made under
 * a lease carry its token and are refused once a newer holder exists
 * (`assertCurrent`), so a holder that was paused or partitioned past its TTL
 * cannot overwrite its successor's work.
 */
import { RollgateError } from "../errors";
import type { Database, Queryable } from "./database";

/** What a write needs to prove it is made under the current tenure of a lease. */
export interface LeaseRef {
  readonly name: string;
  readonly token: number;
}

/** One holder's time with a lease, as `lease_tenures` remembers it. */
export interface Tenure {
  readonly token: number;
  readonly host: string;
  readonly acquiredAt: Date;
  /** Null while held, or when it ended by expiring (the holder died or lost the database) rather than by release. */
  readonly releasedAt: Date | null;
}

export interface Lease extends LeaseRef {
  readonly holder: string;
  readonly acquiredAt: Date;
  readonly expiresAt: Date;
}

/** A write or renewal under a lease that is no longer current. */
export class LeaseLostError extends RollgateError {
  override readonly kind = "conflict";

  constructor(
    readonly lease: string,
    detail: string,
  ) {
    super(`lease ${lease} is no longer held: ${detail}`);
  }
}

interface LeaseRow {
  name: string;
  holder: string;
  token: string;
  acquired_at: Date;
  expires_at: Date;
}

const returning = "RETURNING name, holder, token, acquired_at, expires_at";
const TENURE_RETENTION_DAYS = 30;

export interface LeaseStoreOptions {
  /** This replica's id (unique per process). */
  readonly holder: string;
  /** This replica's host name, as Pulumi's lock files record it. */
  readonly host: string;
  readonly ttlMs: number;
}

export class LeaseStore {
  constructor(
    private readonly database: Database,
    readonly options: LeaseStoreOptions,
  ) {}

  /**
   * Takes the lease if it is free, released or expired; undefined while
   * someone else holds it. With `client`, inside the caller's transaction.
   */
  async tryAcquire(name: string, client: Queryable = this.database): Promise<Lease | undefined> {
    const { rows } = await client.query<LeaseRow>(
      `WITH acquired AS (
         INSERT INTO leases AS l (name, holder, holder_host, token, acquired_at, expires_at)
         VALUES ($1, $2, $3, nextval('rollgate_fencing_tokens'), now(), now() + $4 * interval '1 millisecond')
         ON CONFLICT (name) DO UPDATE SET
           holder = excluded.holder, holder_host = excluded.holder_host, token = excluded.token,
           acquired_at = excluded.acquired_at, expires_at = excluded.expires_at, released_at = NULL
         WHERE l.holder IS NULL OR l.expires_at < now()
         RETURNING name, holder, holder_host, token, acquired_at, expires_at
       ), recorded AS (
         INSERT INTO lease_tenures (name, token, holder_host, acquired_at)
         SELECT name, token, holder_host, acquired_at FROM acquired
       ), pruned AS (
         DELETE FROM lease_tenures WHERE name = $1 AND acquired_at < now() - ${TENURE_RETENTION_DAYS} * interval '1 day'
       )
       SELECT name, holder, token, acquired_at, expires_at FROM acquired`,
      [name, this.options.holder, this.options.host, this.options.ttlMs],
    );
    return rows[0] && toLease(rows[0]);
  }

  /** Extends the lease by a TTL from now; undefined when it is no longer this tenure (a newer holder took it). */
  async renew(lease: LeaseRef): Promise<Lease | undefined> {
    const { rows } = await this.database.query<LeaseRow>(
      `UPDATE leases SET expires_at = now() + $4 * interval '1 millisecond'
        WHERE name = $1 AND token = $2 AND holder = $3
       ${returning}`,
      [lease.name, lease.token, this.options.holder, this.options.ttlMs],
    );
    return rows[0] && toLease(rows[0]);
  }

  /** Gives the lease up (a no-op when it is no longer this tenure). */
  async release(lease: LeaseRef): Promise<void> {
    await this.database.query(
      `WITH released AS (
         UPDATE leases SET holder = NULL, released_at = now() WHERE name = $1 AND token = $2 RETURNING released_at
       )
       UPDATE lease_tenures SET released_at = (SELECT released_at FROM released)
        WHERE name = $1 AND token = $2 AND EXISTS (SELECT 1 FROM released)`,
      [lease.name, lease.token],
    );
  }

  /**
   * The last `limit` tenures of a lease before the one with token `token`
   * that began before `before`, newest first.
   */
  async tenuresBefore(name: string, token: number, before: Date, limit = 3): Promise<Tenure[]> {
    const { rows } = await this.database.query<{ token: string; holder_host: string; acquired_at: Date; released_at: Date | null }>(
      `SELECT token, holder_host, acquired_at, released_at FROM lease_tenures
        WHERE name = $1 AND token < $2 AND acquired_at < $3
        ORDER BY token DESC LIMIT $4`,
      [name, token, before, limit],
    );
    return rows.map((row) => ({ token: Number(row.token), host: row.holder_host, acquiredAt: row.acquired_at, releasedAt: row.released_at }));
  }

  /** Whether anyone held the lease `name` after the tenure `after` and before the tenure `before`. */
  async heldBetween(name: string, after: number, before: number): Promise<boolean> {
    const { rows } = await this.database.query<{ held: boolean }>(
      "SELECT EXISTS (SELECT 1 FROM lease_tenures WHERE name = $1 AND token > $2 AND token < $3) AS held",
      [name, after, before],
    );
    return rows[0]?.held ?? true;
  }

  /** Those of `names` that nobody holds now (free, released or expired). */
  async unheld(names: readonly string[]): Promise<string[]> {
    if (names.length === 0) return [];
    const { rows } = await this.database.query<{ name: string }>(
      `SELECT n.name FROM unnest($1::text[]) AS n(name)
        LEFT JOIN leases l ON l.name = n.name
       WHERE l.name IS NULL OR l.holder IS NULL OR l.expires_at < now()`,
      [names],
    );
    return rows.map((row) => row.name);
  }
}

/** Throws `LeaseLostError` unless `lease` is still the current tenure; call it inside the writing transaction. */
export async function assertCurrent(client: Queryable, lease: LeaseRef): Promise<void> {
  const { rows } = await client.query<{ token: string }>("SELECT token FROM leases WHERE name = $1 FOR SHARE", [lease.name]);
  const current = rows[0] ? Number(rows[0].token) : undefined;
  if (current !== lease.token) {
    throw new LeaseLostError(lease.name, current === undefined ? "the lease does not exist" : "a newer holder took it");
  }
}

function toLease(row: LeaseRow): Lease {
  return {
    name: row.name,
    holder: row.holder,
    token: Number(row.token),
    acquiredAt: row.acquired_at,
    expiresAt: row.expires_at,
  };
}
