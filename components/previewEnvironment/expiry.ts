/** Pure time-to-live maths for preview environments. */

/** Longest TTL accepted: 90 days. */
export const maxTtlHours = 24 * 90;

/** `undefined` when `createdAt` is an ISO-8601 instant with a time zone, else a phrase starting "must". */
export function createdAtProblem(createdAt: string): string | undefined {
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
  return iso.test(createdAt) && !Number.isNaN(Date.parse(createdAt))
    ? undefined
    : `must be an ISO-8601 instant such as 2025-01-31T12:00:00Z (got "${createdAt}")`;
}

/** `undefined` when `ttlHours` is a whole number of hours from 1 to 90 days, else a phrase starting "must". */
export function ttlProblem(ttlHours: number): string | undefined {
  return Number.isInteger(ttlHours) && ttlHours >= 1 && ttlHours <= maxTtlHours
    ? undefined
    : `must be an integer from 1 to ${maxTtlHours} hours (got ${ttlHours})`;
}

/** The instant (ISO-8601, UTC) `ttlHours` after `createdAt`, after which a preview may be destroyed. */
export function expiresAt(createdAt: string, ttlHours: number): string {
  const createdProblem = createdAtProblem(createdAt);
  if (createdProblem !== undefined) {
    throw new RangeError(`\`createdAt\` ${createdProblem}`);
  }
  const ttl = ttlProblem(ttlHours);
  if (ttl !== undefined) {
    throw new RangeError(`\`ttlHours\` ${ttl}`);
  }
  return new Date(Date.parse(createdAt) + ttlHours * 3_600_000).toISOString();
}

/** Whether a preview created at `createdAt` with `ttlHours` has expired at `now`. */
export function isExpired(createdAt: string, ttlHours: number, now: Date): boolean {
  return Date.parse(expiresAt(createdAt, ttlHours)) <= now.getTime();
}
