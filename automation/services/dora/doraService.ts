/** DORA figures of an environment from the release records (durable and shared, like the state). */
import type { Clock } from "../../deps";
import type { Release } from "../../release/schemas";
import { bandThresholds, DORA_THRESHOLDS_SOURCE } from "./bands";
import { deliveryRecord } from "./deliveries";
import { computeDora, type DoraReport } from "./dora";
import { windowMs } from "./window";

export interface DoraView extends DoraReport {
  readonly window: string;
  readonly thresholds: typeof bandThresholds & { readonly source: string };
}

export interface DoraServiceDeps {
  /** The environment's releases (any order). */
  readonly releases: (environment: string) => Promise<readonly Release[]>;
  readonly clock: Clock;
}

export class DoraService {
  constructor(private readonly deps: DoraServiceDeps) {}

  /** `window` is already validated (`DoraWindow`). */
  async report(environment: string, window: string): Promise<DoraView> {
    const ms = windowMs(window);
    if (ms === undefined) throw new TypeError(`invalid DORA window ${window}`);
    const releases = await this.deps.releases(environment);
    const report = computeDora(releases.map(deliveryRecord), environment, ms, this.deps.clock.now());
    return { ...report, window, thresholds: { source: DORA_THRESHOLDS_SOURCE, ...bandThresholds } };
  }
}
