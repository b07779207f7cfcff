/** The Grafana dashboard for Rollgate's own `/metrics` (names from `automation/services/metrics/serviceMetrics.ts`). */

interface Panel {
  readonly title: string;
  readonly expr: string;
  readonly unit: string;
}

/** `namespace` limits every query to the service's own pods. */
export function servicePanels(namespace: string): readonly Panel[] {
  const scope = `namespace="${namespace}"`;
  return [
    { title: "Operations per second by result", expr: `sum by (kind, result) (rate(rollgate_operations_total{${scope}}[5m]))`, unit: "ops" },
    {
      title: "Operation duration p99",
      expr: `histogram_quantile(0.99, sum by (le, kind) (rate(rollgate_operation_duration_seconds_bucket{${scope}}[5m])))`,
      unit: "s",
    },
    { title: "Operations running", expr: `sum(rollgate_operations_running{${scope}})`, unit: "short" },
    { title: "Operations queued", expr: `sum(rollgate_operation_queue_depth{${scope}})`, unit: "short" },
    { title: "Previews", expr: `sum(rollgate_previews{${scope}})`, unit: "short" },
    { title: "Resident memory by pod", expr: `sum by (pod) (process_resident_memory_bytes{${scope}})`, unit: "bytes" },
  ];
}

/** The dashboard as Grafana's JSON model: one time-series panel per figure, two to a row. */
export function renderServiceDashboard(namespace: string): string {
  const panels = servicePanels(namespace).map((panel, index) => ({
    id: index + 1,
    type: "timeseries",
    title: panel.title,
    gridPos: { h: 8, w: 12, x: (index % 2) * 12, y: Math.floor(index / 2) * 8 },
    fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
    targets: [{ refId: "A", expr: panel.expr }],
  }));
  return JSON.stringify({ uid: `rollgate-service-${namespace}`.slice(0, 40), title: "Rollgate service", schemaVersion: 39, panels }, null, 2);
}
