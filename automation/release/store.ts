/**
 * Where release records live. The controller saves a record after every
 * transition; a restarted controller reads the active ones back.
 */
import type { Release } from "./schemas";
import { isActive } from "./stateMachine";

export interface ReleaseStore {
  /** Writes the whole record (insert or replace). A completed save survives a crash. */
  save(release: Release): Promise<void>;
  get(id: string): Promise<Release | undefined>;
  /** Every release, oldest start first; optionally of one environment. */
  list(filter?: { readonly environment?: string }): Promise<Release[]>;
  /** The environment's progressing or paused release, if any. */
  active(environment: string): Promise<Release | undefined>;
}

/** Picks the active release out of a list (shared by the stores). */
export function findActive(releases: readonly Release[], environment: string): Release | undefined {
  return releases.find((release) => release.environment === environment && isActive(release.status));
}

export function byStart(a: Release, b: Release): number {
  return a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id);
}

/** For tests and single-process use without persistence. Hands out copies, so callers cannot change stored records. */
export class InMemoryReleaseStore implements ReleaseStore {
  private readonly records = new Map<string, Release>();

  async save(release: Release): Promise<void> {
    this.records.set(release.id, structuredClone(release));
  }

  async get(id: string): Promise<Release | undefined> {
    const release = this.records.get(id);
    return release && structuredClone(release);
  }

  async list(filter: { readonly environment?: string } = {}): Promise<Release[]> {
    return [...this.records.values()]
      .filter((release) => filter.environment === undefined || release.environment === filter.environment)
      .sort(byStart)
      .map((release) => structuredClone(release));
  }

  async active(environment: string): Promise<Release | undefined> {
    return findActive(await this.list({ environment }), environment);
  }
}
