/**
 * The port through which the engine keeps each stack's settings file
 * (`Pulumi.<stack>.yaml`: config values, secrets encrypted by the stack's
 * secrets provider, its salt) in Rollgate's store, so every replica deploys
 * from the same config. The engine materializes the file into the
 * operation's workspace before each Pulumi run and writes it back, under the
 * stack's lease, when the run changed it.
 */
import type { LeaseRef } from "../store/leases";

export interface StoredStackConfig {
  /** The settings file's text. */
  readonly content: string;
  /** Grows by one with every save. */
  readonly version: number;
}

export interface StackConfigStore {
  load(stack: string): Promise<StoredStackConfig | undefined>;
  /**
   * Stores `content` as the stack's next version. Refused (`LeaseLostError`)
   * when made under a lease that is no longer current.
   */
  save(stack: string, content: string, lease?: LeaseRef): Promise<StoredStackConfig>;
  /** Forgets the stack's config (the stack was removed). */
  remove(stack: string, lease?: LeaseRef): Promise<void>;
}
