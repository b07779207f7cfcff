import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { alertNames, buildAlertRules } from "../../../components/monitoring/alerts";
import { buildDashboard, dashboardUid, renderDashboard } from "../../../components/monitoring/dashboard";
import { metrics } from "../../../components/monitoring/metrics";

const options = { app: "shop", namespace: "shop-production" };

function panelNamed(title: RegExp) {
  const panel = buildDashboard(options).panels.find((candidate) => title.test(candidate.title));
  if (!panel) {
    throw new Error(`no panel matching ${title}`);
  }
  return panel;
}

describe("buildDashboard", () => {
  it("renders JSON that parses back to the same dashboard", () => {
    const json = renderDashboard(options);

    expect(JSON.parse(json)).toEqual(buildDashboard(options));
  });

  it("has panels for request rate, error rate, latency quantiles and the current weight", () => {
    const titles = buildDashboard(options).panels.map((panel) => panel.title);

    expect(titles).toEqual([
      "Request rate by track",
      "5xx error ratio by track",
      "Latency p50 / p95 / p99: stable vs canary",
      "Current canary weight",
    ]);
  });

  it("gives every panel at least one query and a unique id", () => {
    const panels = buildDashboard(options).panels;

    expect(panels.every((panel) => panel.targets.length > 0)).toBe(true);
    expect(new Set(panels.map((panel) => panel.id)).size).toBe(panels.length);
  });

  it("counts requests per track from http_requests_total", () => {
    const [query] = panelNamed(/Request rate/).targets;

    expect(query?.expr).toBe('sum by (track) (rate(http_requests_total{namespace="shop-production"}[1m]))');
  });

  it("divides 5xx requests by all requests, per track", () => {
    const [query] = panelNamed(/error ratio/).targets;

    expect(query?.expr).toContain(`${metrics.requests}{namespace="shop-production",code=~"5.."}`);
    expect(query?.expr).toMatch(/^sum by \(track\) .* \/ sum by \(track\) /);
  });

  it("plots p50, p95 and p99 latency per track from the duration histogram", () => {
    const targets = panelNamed(/Latency/).targets;

    expect(targets.map((target) => target.expr)).toEqual(
      [0.5, 0.95, 0.99].map(
        (quantile) =>
          `histogram_quantile(${quantile}, sum by (track, le) (rate(http_request_duration_seconds_bucket{namespace="shop-production"}[1m])))`,
      ),
    );
    expect(targets.map((target) => target.legendFormat)).toEqual(["{{track}} p50", "{{track}} p95", "{{track}} p99"]);
  });

  it("shows the current weight from the rollgate_canary_weight gauge", () => {
    const panel = panelNamed(/weight/);

    expect(panel.type).toBe("stat");
    expect(panel.targets[0]?.expr).toBe('max(rollgate_canary_weight{app="shop",namespace="shop-production"})');
  });

  it("only queries the metrics of the shared contract", () => {
    const exprs = buildDashboard(options).panels.flatMap((panel) => panel.targets.map((target) => target.expr));
    const known = Object.values(metrics);

    for (const expr of exprs) {
      const names = expr.match(/[a-z_]+(?=\{)/g) ?? [];
      expect(names.length).toBeGreaterThan(0);
      expect(names.every((name) => known.includes(name as (typeof known)[number]))).toBe(true);
    }
  });

  it("adds extra selectors to every app query", () => {
    const dashboard = buildDashboard({ ...options, extraSelector: 'job="shop"' });

    const appQueries = dashboard.panels.slice(0, 3).flatMap((panel) => panel.targets.map((target) => target.expr));
    expect(appQueries.every((expr) => expr.includes('namespace="shop-production",job="shop"'))).toBe(true);
  });

  it("escapes quotes in names used inside label matchers", () => {
    const dashboard = buildDashboard({ app: 'sh"op', namespace: "ns" });

    expect(dashboard.panels[3]?.targets[0]?.expr).toContain('app="sh\\"op"');
  });

  it("derives a stable Grafana uid of at most 40 safe characters", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.string({ maxLength: 80 }), (app, namespace) => {
        const uid = dashboardUid(app, namespace);

        expect(uid).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
        expect(dashboardUid(app, namespace)).toBe(uid);
      }),
    );
  });
});

describe("buildAlertRules", () => {
  const [group] = buildAlertRules(options);
  const rule = (name: string) => group?.rules.find((candidate) => candidate.alert === name);

  it("alerts when the canary's 5xx ratio is above stable's plus a margin", () => {
    const expr = rule(alertNames.canaryErrorRatio)?.expr ?? "";

    expect(expr).toContain('http_requests_total{namespace="shop-production",track="canary",code=~"5.."}');
    expect(expr).toContain('http_requests_total{namespace="shop-production",track="stable",code=~"5.."}');
    expect(expr).toMatch(/ > \(\(.*or vector\(0\)\) \+ 0\.01\)$/);
  });

  it("alerts when p99 latency is above the bound", () => {
    const alert = rule(alertNames.p99Latency);

    expect(alert?.expr).toBe(
      'histogram_quantile(0.99, sum by (track, le) (rate(http_request_duration_seconds_bucket{namespace="shop-production"}[5m]))) > 0.5',
    );
  });

  it("uses the thresholds it is given", () => {
    const [custom] = buildAlertRules({ ...options, errorRatioMargin: 0.05, p99LatencySeconds: 1.2 });

    expect(custom?.rules.map((alert) => alert.expr.split(" ").pop())).toEqual(["0.05)", "1.2"]);
  });
});
