/** The URLs each track's requests go to; `baseline` only where the route has one. */
export interface TrackBackends {
  readonly stable: string;
  readonly canary: string;
  readonly baseline?: string;
}

/** The canary's and the baseline's shares (percent) of the live route. */
export interface TrafficShares {
  readonly canary: number;
  readonly baseline: number;
}

/**
 * The local cluster has no data plane, so this driver plays the gateway: it
 * reads the canary's share (and the baseline's, where there is one) from the
 * live route through `readWeight` and sends each request to stable, canary or
 * baseline in those proportions.
 */
export class TrafficDriver {
  private running = false;
  private paused = false;
  private loop?: Promise<void>;
  sent = { stable: 0, canary: 0, baseline: 0 };

  constructor(
    private backends: TrackBackends,
    private readonly readWeight: () => Promise<number | TrafficShares>,
    private readonly requestsPerSecond = 40,
  ) {}

  /** Sends later requests to these URLs (e.g. once the sample apps listen). */
  retarget(backends: TrackBackends): void {
    this.backends = backends;
  }

  /** Stops sending requests to either track until `resume` (a canary with no traffic). */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    let shares: TrafficShares = { canary: 0, baseline: 0 };
    let lastRead = 0;
    let slot = 0;
    while (this.running) {
      if (Date.now() - lastRead > 500) {
        const read = await this.readWeight().catch(() => shares);
        shares = typeof read === "number" ? { canary: read, baseline: 0 } : read;
        lastRead = Date.now();
      }
      slot = (slot + 1) % 100;
      const baseline = this.backends.baseline;
      const track = slot < shares.canary ? "canary" : baseline !== undefined && slot < shares.canary + shares.baseline ? "baseline" : "stable";
      if (!this.paused) {
        this.sent[track] += 1;
        void fetch(track === "baseline" ? (baseline ?? this.backends.stable) : this.backends[track]).catch(() => undefined);
      }
      await new Promise((resolve) => setTimeout(resolve, 1000 / this.requestsPerSecond));
    }
  }
}
