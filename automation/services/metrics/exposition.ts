/**
 * A minimal Prometheus client: counters, gauges and histograms rendered in the
 * text exposition format (version 0.0.4). Small enough to own instead of
 * depending on prom-client.
 */

export const exposition = { contentType: "text/plain; version=0.0.4; charset=utf-8" } as const;

type Labels = Readonly<Record<string, string>>;

export interface Metric {
  readonly name: string;
  /** Lines of the exposition for this metric, HELP and TYPE included. */
  render(): Promise<string[]>;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function escapeHelp(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function formatLabels(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return "";
  return `{${entries.map(([key, value]) => `${key}="${escapeLabel(value)}"`).join(",")}}`;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

function header(name: string, help: string, type: string): string[] {
  return [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`];
}

function keyOf(labelNames: readonly string[], labels: Labels): string {
  return JSON.stringify(labelNames.map((name) => labels[name] ?? ""));
}

function checkLabels(name: string, labelNames: readonly string[], labels: Labels): void {
  const given = Object.keys(labels);
  if (given.length !== labelNames.length || !labelNames.every((label) => label in labels)) {
    throw new Error(`metric ${name} takes labels ${labelNames.join(", ") || "(none)"}, got ${given.join(", ") || "(none)"}`);
  }
}

export class Counter implements Metric {
  private readonly values = new Map<string, { labels: Labels; value: number }>();

  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly labelNames: readonly string[] = [],
  ) {}

  inc(labels: Labels = {}, amount = 1): void {
    if (amount < 0) throw new Error(`counter ${this.name} cannot decrease`);
    checkLabels(this.name, this.labelNames, labels);
    const key = keyOf(this.labelNames, labels);
    const current = this.values.get(key);
    if (current) current.value += amount;
    else this.values.set(key, { labels: { ...labels }, value: amount });
  }

  async render(): Promise<string[]> {
    const lines = header(this.name, this.help, "counter");
    for (const { labels, value } of this.values.values()) lines.push(`${this.name}${formatLabels(labels)} ${formatValue(value)}`);
    return lines;
  }
}

type Collect = () => Promise<readonly { labels: Labels; value: number }[]> | readonly { labels: Labels; value: number }[];

/** A metric whose samples are read when scraped. */
abstract class Sampled implements Metric {
  protected abstract readonly type: "gauge" | "counter";

  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly collect: Collect,
  ) {}

  async render(): Promise<string[]> {
    const lines = header(this.name, this.help, this.type);
    for (const { labels, value } of await this.collect()) lines.push(`${this.name}${formatLabels(labels)} ${formatValue(value)}`);
    return lines;
  }
}

export class Gauge extends Sampled {
  protected readonly type = "gauge";
}

/** A counter kept by someone else (the kernel's CPU time, say) and read when scraped. */
export class SampledCounter extends Sampled {
  protected readonly type = "counter";
}

export class Histogram implements Metric {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  private readonly buckets: readonly number[];

  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly labelNames: readonly string[],
    buckets: readonly number[],
  ) {
    this.buckets = [...buckets].sort((a, b) => a - b);
  }

  observe(labels: Labels, value: number): void {
    checkLabels(this.name, this.labelNames, labels);
    const key = keyOf(this.labelNames, labels);
    let series = this.series.get(key);
    if (!series) {
      series = { labels: { ...labels }, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, series);
    }
    this.buckets.forEach((bound, index) => {
      if (value <= bound && series) series.counts[index] = (series.counts[index] ?? 0) + 1;
    });
    series.sum += value;
    series.count += 1;
  }

  async render(): Promise<string[]> {
    const lines = header(this.name, this.help, "histogram");
    for (const { labels, counts, sum, count } of this.series.values()) {
      this.buckets.forEach((bound, index) => {
        lines.push(`${this.name}_bucket${formatLabels({ ...labels, le: formatValue(bound) })} ${counts[index] ?? 0}`);
      });
      lines.push(`${this.name}_bucket${formatLabels({ ...labels, le: "+Inf" })} ${count}`);
      lines.push(`${this.name}_sum${formatLabels(labels)} ${formatValue(sum)}`);
      lines.push(`${this.name}_count${formatLabels(labels)} ${count}`);
    }
    return lines;
  }
}

export class MetricsRegistry {
  private readonly metrics: Metric[] = [];

  register<M extends Metric>(metric: M): M {
    if (this.metrics.some((existing) => existing.name === metric.name)) {
      throw new Error(`metric ${metric.name} is already registered`);
    }
    this.metrics.push(metric);
    return metric;
  }

  async render(): Promise<string> {
    const blocks = await Promise.all(this.metrics.map((metric) => metric.render()));
    return `${blocks.flat().join("\n")}\n`;
  }
}
