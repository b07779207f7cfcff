/**
 * Pure builder of the Grafana dashboard comparing a release's stable and
 * canary tracks. No Pulumi here: `buildDashboard` returns the dashboard model,
 * `renderDashboard` its JSON.
 */
import { matchers, metrics, namespaceSelector, promqlString } from "./metrics";

export interface DashboardOptions {
  /** Application name (title, uid, weight gauge selector). */
  readonly app: string;
  /** Namespace the app's metrics are scraped from. */
  readonly namespace: string;
  /** Extra PromQL matchers (without braces) for every app query, e.g. `job=~"web-.*"`. */
  readonly extraSelector?: string;
  /** Range of `rate()` windows. Default `1m`. */
  readonly rateWindow?: string;
}

export interface DashboardTarget {
  readonly refId: string;
  readonly expr: string;
  readonly legendFormat: string;
  readonly datasource: DatasourceRef;
}

export interface DashboardPanel {
  readonly id: number;
  readonly type: "timeseries" | "stat";
  readonly title: string;
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly datasource: DatasourceRef;
  readonly targets: readonly DashboardTarget[];
  readonly fieldConfig: { readonly defaults: { readonly unit: string; readonly min?: number; readonly max?: number }; readonly overrides: readonly unknown[] };
  readonly options: Record<string, unknown>;
}

export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly tags: readonly string[];
  readonly timezone: string;
  readonly schemaVersion: number;
  readonly version: number;
  readonly refresh: string;
  readonly time: { readonly from: string; readonly to: string };
  readonly templating: { readonly list: readonly unknown[] };
  readonly panels: readonly DashboardPanel[];
}

interface DatasourceRef {
  readonly type: "prometheus";
  readonly uid: string;
}

/** Quantiles shown in the latency panel. */
export const latencyQuantiles = [0.5, 0.95, 0.99] as const;

const datasource: DatasourceRef = { type: "prometheus", uid: "${datasource}" };

/** A Grafana uid (at most 40 characters of `[A-Za-z0-9_-]`) for an app's dashboard. */
export function dashboardUid(app: string, namespace: string): string {
  const base = `rollgate-${app}-${namespace}`.replace(/[^A-Za-z0-9_-]/g, "-");
  if (base.length <= 40) {
    return base;
  }
  return `${base.slice(0, 31)}-${fnv1a(base)}`;
}

/** The dashboard model: request rate, error rate, latency quantiles (stable vs canary) and the current weight. */
export function buildDashboard(options: DashboardOptions): Dashboard {
  const window = options.rateWindow ?? "1m";
  const scope = matchers(namespaceSelector(options.namespace), options.extraSelector ?? "");
  const requests = (extra = "") => `${metrics.requests}{${matchers(scope, extra)}}`;
  const rateByTrack = (selector: string) => `sum by (track) (rate(${selector}[${window}]))`;

  const panel = (
    id: number,
    title: string,
    gridPos: DashboardPanel["gridPos"],
    unit: string,
    targets: readonly Omit<DashboardTarget, "datasource">[],
    type: DashboardPanel["type"] = "timeseries",
  ): DashboardPanel => ({
    id,
    type,
    title,
    gridPos,
    datasource,
    targets: targets.map((target) => ({ ...target, datasource })),
    fieldConfig: { defaults: { unit, ...(type === "stat" ? { min: 0, max: 100 } : {}) }, overrides: [] },
    options: type === "stat" ? { reduceOptions: { calcs: ["lastNotNull"] }, graphMode: "area" } : { legend: { displayMode: "table", placement: "bottom" } },
  });

  const panels = [
    panel(1, "Request rate by track", { x: 0, y: 0, w: 12, h: 8 }, "reqps", [
      { refId: "A", expr: rateByTrack(requests()), legendFormat: "{{track}}" },
    ]),
    panel(2, "5xx error ratio by track", { x: 12, y: 0, w: 12, h: 8 }, "percentunit", [
      {
        refId: "A",
        expr: `${rateByTrack(requests('code=~"5.."'))} / ${rateByTrack(requests())}`,
        legendFormat: "{{track}}",
      },
    ]),
    panel(
      3,
      "Latency p50 / p95 / p99: stable vs canary",
      { x: 0, y: 8, w: 18, h: 9 },
      "s",
      latencyQuantiles.map((quantile, index) => ({
        refId: String.fromCharCode(65 + index),
        expr: `histogram_quantile(${quantile}, sum by (track, le) (rate(${metrics.durationBucket}{${scope}}[${window}])))`,
        legendFormat: `{{track}} p${Math.round(quantile * 100)}`,
      })),
    ),
    panel(
      4,
      "Current canary weight",
      { x: 18, y: 8, w: 6, h: 9 },
      "percent",
      [
        {
          refId: "A",
          expr: `max(${metrics.canaryWeight}{app="${promqlString(options.app)}",${namespaceSelector(options.namespace)}})`,
          legendFormat: "canary weight",
        },
      ],
      "stat",
    ),
  ];

  return {
    uid: dashboardUid(options.app, options.namespace),
    title: `Rollgate: ${options.app} (${options.namespace})`,
    tags: ["rollgate", options.app],
    timezone: "utc",
    schemaVersion: 39,
    version: 1,
    refresh: "30s",
    time: { from: "now-1h", to: "now" },
    templating: {
      list: [{ name: "datasource", label: "Prometheus", type: "datasource", query: "prometheus", hide: 0 }],
    },
    panels,
  };
}

/** The dashboard as JSON, ready for a Grafana sidecar ConfigMap. */
export function renderDashboard(options: DashboardOptions): string {
  return JSON.stringify(buildDashboard(options), null, 2);
}

/** 32-bit FNV-1a hash as 8 hex digits: short, stable suffixes for truncated names. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (const char of text) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}
