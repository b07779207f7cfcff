import { describe, expect, it } from "vitest";
import { MetricsRegistry } from "../../../automation/services/metrics/exposition";
import { registerProcessMetrics } from "../../../automation/services/metrics/processMetrics";

function sample(text: string, name: string): number {
  const line = text.split("\n").find((entry) => entry.startsWith(`${name} `) || entry.startsWith(`${name}{`));
  if (!line) throw new Error(`no sample of ${name} in\n${text}`);
  return Number(line.slice(line.lastIndexOf(" ") + 1));
}

describe("process metrics", () => {
  it("exports CPU, memory, file descriptors and heap under prom-client's names, with plausible values", async () => {
    const registry = new MetricsRegistry();
    registerProcessMetrics(registry);

    const text = await registry.render();

    expect(text).toContain("# TYPE process_cpu_user_seconds_total counter");
    expect(sample(text, "process_cpu_user_seconds_total")).toBeGreaterThan(0);
    expect(sample(text, "process_resident_memory_bytes")).toBeGreaterThan(10 * 1024 * 1024);
    expect(sample(text, "nodejs_heap_size_used_bytes")).toBeLessThanOrEqual(sample(text, "nodejs_heap_size_total_bytes"));
    expect(sample(text, "process_open_fds")).toBeGreaterThan(2);
    expect(sample(text, "process_start_time_seconds")).toBeLessThanOrEqual(Date.now() / 1000);
    expect(sample(text, "process_start_time_seconds")).toBeGreaterThan(Date.now() / 1000 - 3600);
    expect(text).toContain(`nodejs_version_info{version="${process.version}"`);
  });

  it("reports a blocked event loop in the next scrape, and only there", async () => {
    const registry = new MetricsRegistry();
    registerProcessMetrics(registry);
    await registry.render();
    // A reset monitor needs one tick before it measures again.
    await new Promise((resolve) => setTimeout(resolve, 50));

    const until = Date.now() + 120;
    while (Date.now() < until) {
      // Keeps the event loop busy, as a synchronous hot path would.
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
    const blocked = await registry.render();
    await new Promise((resolve) => setTimeout(resolve, 150));
    const calm = await registry.render();

    expect(sample(blocked, "nodejs_eventloop_lag_max_seconds")).toBeGreaterThan(0.08);
    expect(sample(calm, "nodejs_eventloop_lag_max_seconds")).toBeLessThan(sample(blocked, "nodejs_eventloop_lag_max_seconds"));
  });

  it("counts garbage collection pauses by kind", async () => {
    const registry = new MetricsRegistry();
    registerProcessMetrics(registry);
    let kept: number[][] = [];
    let text = "";
    // GC entries reach the observer asynchronously; allocate until one has been counted (seconds at most).
    for (let attempt = 0; attempt < 50 && !/nodejs_gc_duration_seconds_count/.test(text); attempt += 1) {
      for (let round = 0; round < 200; round += 1) kept = [...kept.slice(-5), new Array<number>(100_000).fill(round)];
      await new Promise((resolve) => setTimeout(resolve, 50));
      text = await registry.render();
    }

    expect(kept.length).toBeGreaterThan(0);
    expect(text).toMatch(/nodejs_gc_duration_seconds_count\{kind="(minor|major|incremental|weakcb)"\} [1-9]/);
  });
});
