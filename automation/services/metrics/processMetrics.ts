/**
 * The process figures every Node.js service exports, under prom-client's
 * default metric names so existing dashboards and alerts work: CPU, resident
 * memory, open file descriptors, heap, event-loop lag and GC pauses.
 */
import { readdirSync, readFileSync } from "node:fs";
import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from "node:perf_hooks";
import { Gauge, Histogram, SampledCounter, type MetricsRegistry } from "./exposition";

const gcKinds: Readonly<Record<number, string>> = { 1: "minor", 2: "major", 4: "incremental", 8: "weakcb" };
const gcBuckets = [0.001, 0.01, 0.1, 1, 2, 5];
const startTimeSeconds = (Date.now() - process.uptime() * 1000) / 1000;

/** Collectors are process-wide: one event-loop monitor and one GC observer, whatever the number of registries. */
interface Collectors {
  readonly loopDelay: IntervalHistogram;
  readonly gcDurations: Histogram;
}
let collectors: Collectors | undefined;

function processCollectors(): Collectors {
  if (collectors) return collectors;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const gcDurations = new Histogram("nodejs_gc_duration_seconds", "Garbage collection pauses, by kind.", ["kind"], gcBuckets);
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const { detail } = entry as PerformanceEntry & { detail?: { kind?: number } };
      const kind = gcKinds[detail?.kind ?? 0] ?? "unknown";
      gcDurations.observe({ kind }, entry.duration / 1000);
    }
  }).observe({ entryTypes: ["gc"] });
  collectors = { loopDelay, gcDurations };
  return collectors;
}

function openFileDescriptors(): number | undefined {
  try {
    return readdirSync("/proc/self/fd").length;
  } catch {
    return undefined;
  }
}

function maxFileDescriptors(): number | undefined {
  try {
    const line = readFileSync("/proc/self/limits", "utf8").split("\n").find((text) => text.startsWith("Max open files"));
    const soft = Number(line?.split(/\s{2,}/)[1]);
    return Number.isFinite(soft) ? soft : undefined;
  } catch {
    return undefined;
  }
}

const one = (value: number | undefined) => (value === undefined ? [] : [{ labels: {}, value }]);

export function registerProcessMetrics(registry: MetricsRegistry): void {
  const { loopDelay, gcDurations } = processCollectors();
  const [major = "0", minor = "0", patch = "0"] = process.versions.node.split(".");

  registry.register(new SampledCounter("process_cpu_user_seconds_total", "User CPU time spent, in seconds.", () => one(process.cpuUsage().user / 1e6)));
  registry.register(new SampledCounter("process_cpu_system_seconds_total", "System CPU time spent, in seconds.", () => one(process.cpuUsage().system / 1e6)));
  registry.register(new Gauge("process_start_time_seconds", "Start time of the process since the Unix epoch, in seconds.", () => one(startTimeSeconds)));
  registry.register(new Gauge("process_resident_memory_bytes", "Resident memory size, in bytes.", () => one(process.memoryUsage.rss())));
  registry.register(new Gauge("process_open_fds", "Open file descriptors.", () => one(openFileDescriptors())));
  registry.register(new Gauge("process_max_fds", "Maximum number of open file descriptors.", () => one(maxFileDescriptors())));
  registry.register(new Gauge("nodejs_heap_size_total_bytes", "V8 heap size, in bytes.", () => one(process.memoryUsage().heapTotal)));
  registry.register(new Gauge("nodejs_heap_size_used_bytes", "V8 heap used, in bytes.", () => one(process.memoryUsage().heapUsed)));
  registry.register(new Gauge("nodejs_external_memory_bytes", "Memory of C++ objects bound to JavaScript objects, in bytes.", () => one(process.memoryUsage().external)));
  // Like prom-client, each scrape reports the delay since the previous one: the first gauge takes the snapshot
  // (collectors run in registration order), the second reads it.
  let lag = { p99: 0, max: 0 };
  registry.register(
    new Gauge("nodejs_eventloop_lag_p99_seconds", "99th percentile of the event loop's delay since the last scrape, in seconds.", () => {
      lag = loopDelay.count > 0 ? { p99: loopDelay.percentile(99) / 1e9, max: loopDelay.max / 1e9 } : { p99: 0, max: 0 };
      loopDelay.reset();
      return one(lag.p99);
    }),
  );
  registry.register(new Gauge("nodejs_eventloop_lag_max_seconds", "Largest event loop delay since the last scrape, in seconds.", () => one(lag.max)));
  registry.register(gcDurations);
  registry.register(
    new Gauge("nodejs_version_info", "Node.js version.", () => [{ labels: { version: process.version, major, minor, patch }, value: 1 }]),
  );
}
