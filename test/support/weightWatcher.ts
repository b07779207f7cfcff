/**
 * Samples a live weight every `intervalMs` with timestamps, so a test can
 * tell when a weight first became visible (step and rollback latency).
 */
export class WeightWatcher {
  readonly samples: { readonly at: number; readonly weight: number }[] = [];
  private timer?: NodeJS.Timeout;
  private reading = false;

  constructor(
    private readonly read: () => Promise<number>,
    private readonly intervalMs = 100,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (this.reading) return;
      this.reading = true;
      this.read()
        .then((weight) => this.samples.push({ at: Date.now(), weight }))
        .catch(() => undefined)
        .finally(() => {
          this.reading = false;
        });
    }, this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The first time at or after `since` that the weight was `weight`. */
  firstSeen(weight: number, since: number): number | undefined {
    return this.samples.find((sample) => sample.at >= since && sample.weight === weight)?.at;
  }
}
