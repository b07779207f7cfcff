/**
 * Where release records live. The controller saves a record after every
 * transition; whoever takes over a release reads it back.
 */
import type { LeaseRef } from "../store/leases";
import { ReleaseConflictError } from "./errors";
import type { Release } from "./schemas";
import { isActive } from "./stateMachine";

export interface ReleaseStore {
  /** Records a new release; throws `ReleaseConflictError` when its environment already has an active one. */
  create(release: Release, lease?: LeaseRef): Promise<void>;
  /**
   * Replaces the record. A completed save survives a crash. Made under a
   * lease, it is refused (`LeaseLostError`) once a newer holder exists.
   */
  save(release: Release, lease?: LeaseRef): Promise<void>;
  get(id: string): Promise<Release | undefined>;
  /** Every release, oldest start first; optionally of one environment. */
  list(filter?: { readonly environment?: string }): Promise<Release[]>;
  /** The environment's progressing or paused release, if any. */
  active(environment: string): Promise<Release | undefined>;
  /** Every progressing or paused release. */
  listActive(): Promise<Release[]>;
}

export function byStart(a: Release, b: Release): number {
  return a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id);
}

/** For unit tests of the controller. Hands out copies, so callers cannot change stored records. */
export class InMemoryReleaseStore implements ReleaseStore {
  private readonly records = new Map<string, Release>();

  async create(release: Release): Promise<void> {
    const active = await this.active(release.environment);
    if (active && isActive(release.status)) throw new ReleaseConflictError(release.environment, active.id);
    this.records.set(release.id, structuredClone(release));
  }

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
    return (await this.list({ environment })).find((release) => isActive(release.status));
  }

  async listActive(): Promise<Release[]> {
    return (await this.list()).filter((release) => isActive(release.status));
  }
}
