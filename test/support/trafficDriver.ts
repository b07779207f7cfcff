/**
 * The local cluster has no data plane, so this driver plays the gateway: it
 * reads the canary weight from the live route (through `readWeight`) and sends
 * each request to stable or canary in that proportion.
 */
export class TrafficDriver {
  private running = false;
  private paused = false;
  private loop?: Promise<void>;
  sent = { stable: 0, canary: 0 };

  constructor(
    private backends: { stable: string; canary: string },
    private readonly readWeight: () => Promise<number>,
    private readonly requestsPerSecond = 40,
  ) {}

  /** Sends later requests to these URLs (e.g. once the sample apps listen). */
  retarget(backends: { stable: string; canary: string }): void {
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
    let weight = 0;
    let lastRead = 0;
    let slot = 0;
    while (this.running) {
      if (Date.now() - lastRead > 500) {
        weight = await this.readWeight().catch(() => weight);
        lastRead = Date.now();
      }
      slot = (slot + 1) % 100;
      const track = slot < weight ? "canary" : "stable";
      if (!this.paused) {
        this.sent[track] += 1;
        void fetch(this.backends[track]).catch(() => undefined);
      }
      await new Promise((resolve) => setTimeout(resolve, 1000 / this.requestsPerSecond));
    }
  }
}
