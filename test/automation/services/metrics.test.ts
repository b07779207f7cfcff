import { describe, expect, it } from "vitest";
import { Counter, Gauge, Histogram, MetricsRegistry } from "../../../automation/services/metrics/exposition";

describe("Prometheus text exposition", () => {
  it("renders counters with HELP, TYPE and escaped label values", async () => {
    const registry = new MetricsRegistry();
    const counter = registry.register(new Counter("jobs_total", "Jobs done.\nBy kind.", ["kind"]));
    counter.inc({ kind: 'a"b\\c' });
    counter.inc({ kind: 'a"b\\c' }, 2);

    expect(await registry.render()).toBe(
      ["# HELP jobs_total Jobs done.\\nBy kind.", "# TYPE jobs_total counter", 'jobs_total{kind="a\\"b\\\\c"} 3', ""].join("\n"),
    );
  });

  it("renders cumulative histogram buckets with +Inf, sum and count", async () => {
    const registry = new MetricsRegistry();
    const histogram = registry.register(new Histogram("wait_seconds", "Waits.", ["kind"], [1, 5]));
    histogram.observe({ kind: "up" }, 0.5);
    histogram.observe({ kind: "up" }, 3);
    histogram.observe({ kind: "up" }, 10);

    const lines = (await registry.render()).split("\n");

    expect(lines).toEqual([
      "# HELP wait_seconds Waits.",
      "# TYPE wait_seconds histogram",
      'wait_seconds_bucket{kind="up",le="1"} 1',
      'wait_seconds_bucket{kind="up",le="5"} 2',
      'wait_seconds_bucket{kind="up",le="+Inf"} 3',
      'wait_seconds_sum{kind="up"} 13.5',
      'wait_seconds_count{kind="up"} 3',
      "",
    ]);
  });

  it("reads gauges when scraped", async () => {
    let depth = 1;
    const registry = new MetricsRegistry();
    registry.register(new Gauge("depth", "Depth.", () => [{ labels: {}, value: depth }]));

    const first = await registry.render();
    depth = 4;
    const second = await registry.render();

    expect(first).toContain("depth 1");
    expect(second).toContain("depth 4");
  });

  it("refuses wrong labels, negative increments and duplicate names", () => {
    const registry = new MetricsRegistry();
    const counter = registry.register(new Counter("c_total", "C.", ["kind"]));

    expect(() => counter.inc({ other: "x" })).toThrow(/takes labels kind/);
    expect(() => counter.inc({ kind: "x" }, -1)).toThrow(/cannot decrease/);
    expect(() => registry.register(new Counter("c_total", "again"))).toThrow(/already registered/);
  });
});
