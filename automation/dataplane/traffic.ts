/**
 * Steady load through the gateway to every routed hostname, so the canary
 * analysis has requests to measure: `perRoute` requests per second each,
 * never more than `maxInFlight` outstanding per route (a slow backend slows
 * the load instead of piling it up).
 */
import { Agent, request } from "node:http";

export class TrafficGenerator {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private readonly inFlight = new Map<string, number>();
  private readonly due = new Map<string, number>();
  private hostnames: readonly string[] = [];
  private timer?: NodeJS.Timeout;
  private last = Date.now();
  sent = 0;

  constructor(
    private readonly gatewayPort: number,
    private readonly perRoute: number,
    private readonly maxInFlight = 32,
  ) {}

  /** The hostnames to load (one per route). */
  target(hostnames: readonly string[]): void {
    this.hostnames = hostnames;
  }

  start(): void {
    if (this.perRoute === 0 || this.timer) return;
    this.last = Date.now();
    this.timer = setInterval(() => this.tick(), 20);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.agent.destroy();
  }

  private tick(): void {
    const now = Date.now();
    const elapsed = (now - this.last) / 1000;
    this.last = now;
    for (const host of this.hostnames) {
      let due = (this.due.get(host) ?? 0) + elapsed * this.perRoute;
      while (due >= 1 && (this.inFlight.get(host) ?? 0) < this.maxInFlight) {
        due -= 1;
        this.send(host);
      }
      this.due.set(host, Math.min(due, this.perRoute));
    }
  }

  private send(host: string): void {
    this.inFlight.set(host, (this.inFlight.get(host) ?? 0) + 1);
    this.sent += 1;
    const done = (): void => {
      this.inFlight.set(host, (this.inFlight.get(host) ?? 1) - 1);
    };
    const req = request({ host: "127.0.0.1", port: this.gatewayPort, path: "/", headers: { host }, agent: this.agent, timeout: 10_000 }, (res) => {
      res.resume();
      res.once("end", done);
      res.once("error", done);
    });
    req.once("timeout", () => req.destroy());
    req.once("error", done);
    req.end();
  }
}
