/**
 * GitHub deliveries already handled, by `X-GitHub-Delivery`: a captured
 * delivery replayed later (a `closed` that would destroy a preview again, an
 * old `synchronize`) is answered "duplicate" and changes nothing. Kept for a
 * week (GitHub redelivers within days), in the shared store so a replay sent
 * to another replica is recognised too.
 */
export interface DeliveryLog {
  /** Records the delivery; false when it was already recorded (a replay). */
  remember(id: string, event: string): Promise<boolean>;
  /** Forgets a delivery whose handling failed, so GitHub's redelivery is handled. */
  forget(id: string): Promise<void>;
}

/** For unit tests. */
export class MemoryDeliveryLog implements DeliveryLog {
  private readonly seen = new Set<string>();

  async remember(id: string): Promise<boolean> {
    if (this.seen.has(id)) return false;
    this.seen.add(id);
    return true;
  }

  async forget(id: string): Promise<void> {
    this.seen.delete(id);
  }
}
