/** The service's Prometheus metrics. */
import type { Operation } from "../operations/types";
import type { OperationObserver } from "../operations/scheduler";
import { previewStatuses, type PreviewStatus } from "../previews/status";
import { Counter, Gauge, Histogram, MetricsRegistry } from "./exposition";
import { registerProcessMetrics } from "./processMetrics";

export interface ServiceMetricsSources {
  /** Operations waiting in the shared queue (every replica's). */
  readonly queueDepth: () => Promise<number>;
  /** Operations this replica runs. */
  readonly running: () => number;
  readonly previewsByStatus: () => Promise<Record<PreviewStatus, number>>;
}

/** Operation durations from seconds to the length of a slow cluster rollout. */
export const durationBuckets = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600];

export class ServiceMetrics implements OperationObserver {
  readonly registry = new MetricsRegistry();
  private readonly operations: Counter;
  private readonly durations: Histogram;

  constructor(sources: ServiceMetricsSources) {
    this.operations = this.registry.register(
      new Counter("rollgate_operations_total", "Operations finished, by kind and result.", ["kind", "result"]),
    );
    this.durations = this.registry.register(
      new Histogram(
        "rollgate_operation_duration_seconds",
        "Time from start to end of finished operations.",
        ["kind", "result"],
        durationBuckets,
      ),
    );
    this.registry.register(
      new Gauge("rollgate_operation_queue_depth", "Operations waiting for their stack or a free slot, on any replica.", async () => {
        const depth = await sources.queueDepth().catch(() => undefined);
        return depth === undefined ? [] : [{ labels: {}, value: depth }];
      }),
    );
    this.registry.register(
      new Gauge("rollgate_operations_running", "Operations this replica runs now.", () => [{ labels: {}, value: sources.running() }]),
    );
    this.registry.register(
      new Gauge("rollgate_previews", "Preview environments by status.", async () => {
        // Without the backend there is nothing to count; the other metrics still render (and /readyz says why).
        const counts = await sources.previewsByStatus().catch(() => undefined);
        return counts ? previewStatuses.map((status) => ({ labels: { status }, value: counts[status] })) : [];
      }),
    );
    registerProcessMetrics(this.registry);
  }

  finished(operation: Operation): void {
    const labels = { kind: operation.kind, result: operation.status };
    this.operations.inc(labels);
    if (operation.startedAt && operation.finishedAt) {
      this.durations.observe(labels, (operation.finishedAt.getTime() - operation.startedAt.getTime()) / 1000);
    }
  }

  render(): Promise<string> {
    return this.registry.render();
  }
}
