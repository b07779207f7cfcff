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

/** The tenure before this one, as the lease row remembers it. */
export interface PreviousTenure {
  readonly host: string;
  readonly acquiredAt: Date;
  /** Null when it ended by expiring (the holder died or lost the database) rather than by release. */
  readonly releasedAt: Date | null;
}

export interface Lease extends LeaseRef {
  readonly holder: string;
  readonly acquiredAt: Date;
  readonly expiresAt: Date;
  readonly previous: PreviousTenure | null;
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
  previous_holder_host: string | null;
  previous_acquired_at: Date | null;
  previous_released_at: Date | null;
}

const returning = "RETURNING name, holder, token, acquired_at, expires_at, previous_holder_host, previous_acquired_at, previous_released_at";

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
      `INSERT INTO leases AS l (name, holder, holder_host, token, acquired_at, expires_at)
       VALUES ($1, $2, $3, nextval('rollgate_fencing_tokens'), now(), now() + $4 * interval '1 millisecond')
       ON CONFLICT (name) DO UPDATE SET
         holder = excluded.holder, holder_host = excluded.holder_host, token = excluded.token,
         acquired_at = excluded.acquired_at, expires_at = excluded.expires_at, released_at = NULL,
         previous_holder_host = l.holder_host, previous_acquired_at = l.acquired_at, previous_released_at = l.released_at
       WHERE l.holder IS NULL OR l.expires_at < now()
       ${returning}`,
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
    await this.database.query("UPDATE leases SET holder = NULL, released_at = now() WHERE name = $1 AND token = $2", [lease.name, lease.token]);
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
    previous:
      row.previous_holder_host === null || row.previous_acquired_at === null
        ? null
        : { host: row.previous_holder_host, acquiredAt: row.previous_acquired_at, releasedAt: row.previous_released_at },
  };
}
