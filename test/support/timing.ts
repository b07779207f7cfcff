/** Wall-clock durations of named operations, printed as `[timing] name: 1.2s` for reports. */
export class Timings {
  private readonly entries: [string, number][] = [];

  constructor(private readonly suite: string) {}

  async measure<T>(name: string, run: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await run();
    } finally {
      const ms = performance.now() - start;
      this.entries.push([name, ms]);
      console.info(`[timing] ${this.suite}: ${name}: ${(ms / 1000).toFixed(1)}s`);
    }
  }

  /** Records a duration measured elsewhere (e.g. between two log lines). */
  record(name: string, ms: number): void {
    this.entries.push([name, ms]);
    console.info(`[timing] ${this.suite}: ${name}: ${(ms / 1000).toFixed(1)}s`);
  }

  summary(): string {
    return this.entries.map(([name, ms]) => `${this.suite}: ${name}: ${(ms / 1000).toFixed(1)}s`).join("\n");
  }
}
