/** `ReleaseLeases` over this replica's lease keeper: a release is driven by the holder of `release:<id>`. */
import type { HeldReleaseLease, ReleaseLeases } from "../release/ports";
import type { LeaseKeeper } from "./leaseKeeper";

export function releaseLeaseName(releaseId: string): string {
  return `release:${releaseId}`;
}

export class KeptReleaseLeases implements ReleaseLeases {
  constructor(private readonly keeper: LeaseKeeper) {}

  tryHold(releaseId: string): Promise<HeldReleaseLease | undefined> {
    return this.hold(releaseLeaseName(releaseId));
  }

  tryClaimStart(environment: string): Promise<HeldReleaseLease | undefined> {
    return this.hold(`release-start:${environment}`);
  }

  private async hold(name: string): Promise<HeldReleaseLease | undefined> {
    const lease = await this.keeper.tryHold(name);
    return lease && { ref: { name: lease.name, token: lease.token }, signal: lease.signal, release: () => lease.release() };
  }

  async undriven(releaseIds: readonly string[]): Promise<string[]> {
    const free = new Set(await this.keeper.store.unheld(releaseIds.map(releaseLeaseName)));
    return releaseIds.filter((id) => free.has(releaseLeaseName(id)));
  }
}
