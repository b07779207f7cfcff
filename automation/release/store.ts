/**
 * Where release records live. The controller saves a record after every
 * transition; whoever takes over a release reads it back.
 */
import type { LeaseRef } from "../store/leases";
import type { Release } from "./schemas";

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
