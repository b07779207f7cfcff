/**
 * The Monitoring component's Grafana dashboard is valid JSON whose panels
 * only query metrics that really exist: the ones the sample app exposes
 * (and the alerts use) and the canary weight the Rollgate service exports.
 */
import pino from "pino";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../automation/support/app";
import { buildAlertRules } from "../../../components/monitoring/alerts";
import { renderDashboard } from "../../../components/monitoring/dashboard";
import { SampleApp } from "../../fixtures/sampleApp";
import { FakeStackEngine } from "../../automation/support/fakeEngine";
import { FakeReleaseController, releaseTokenStore } from "../../automation/releases/support";

const options = { app: "sample-app", namespace: "sample-app-staging" };

/** Metric names in PromQL: identifiers followed by a selector or a range. */
function queriedMetrics(expr: string): string[] {
  return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map((match) => match[1] ?? "");
}

/** Series names in a text exposition (histogram series included). */
function exposedMetrics(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split("\n")) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type?.[1]) {
      names.add(type[1]);
      if (type[2] === "histogram") for (const suffix of ["_bucket", "_sum", "_count"]) names.add(`${type[1]}${suffix}`);
    } else if (line && !line.startsWith("#")) {
      names.add(line.split(/[{ ]/)[0] ?? "");
    }
  }
  return names;
}

interface ParsedDashboard {
  readonly uid: string;
  readonly title: string;
  readonly schemaVersion: number;
  readonly templating: { readonly list: readonly { readonly name: string; readonly type: string }[] };
  readonly panels: readonly {
    readonly id: number;
    readonly title: string;
    readonly type: string;
    readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
    readonly datasource: { readonly type: string; readonly uid: string };
    readonly targets: readonly { readonly refId: string; readonly expr: string; readonly datasource: { readonly uid: string } }[];
  }[];
}

describe("the Monitoring dashboard JSON", () => {
  const dashboard = JSON.parse(renderDashboard(options)) as ParsedDashboard;
  const apps = [new SampleApp("stable"), new SampleApp("canary")];
  const exposed = new Set<string>();
  const exportedByRollgate = new Set<string>();

  beforeAll(async () => {
    for (const app of apps) {
      const url = await app.start();
      await fetch(url).then((response) => response.text());
      for (const name of exposedMetrics(await (await fetch(`${url}/metrics`)).text())) exposed.add(name);
    }
    const rollgate = buildApp({
      engine: new FakeStackEngine(),
      logger: pino({ level: "silent" }),
      tokens: releaseTokenStore(),
      readinessChecks: [],
      waitForDeployment: async () => undefined,
      config: { maxConcurrentOperations: 1, previewDefaultTtlHours: 72, smokeChecks: [] },
      releases: new FakeReleaseController(),
    });
    const metrics = await request(rollgate.app).get("/metrics");
    for (const name of exposedMetrics(metrics.text)) exportedByRollgate.add(name);
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop()));
  });

  it("is a Grafana model with a datasource variable every panel and query uses", () => {
    expect(dashboard.uid).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(30);
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: "datasource", type: "datasource" }));
    for (const panel of dashboard.panels) {
      expect(panel.datasource).toEqual({ type: "prometheus", uid: "${datasource}" });
      expect(panel.targets.every((target) => target.datasource.uid === "${datasource}")).toBe(true);
    }
  });

  it("lays its panels out on Grafana's 24-column grid without overlaps", () => {
    const cells = new Set<string>();
    for (const { gridPos } of dashboard.panels) {
      expect(gridPos.x + gridPos.w).toBeLessThanOrEqual(24);
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x += 1) {
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y += 1) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  it("gives each panel's queries distinct refIds", () => {
    for (const panel of dashboard.panels) {
      expect(new Set(panel.targets.map((target) => target.refId)).size).toBe(panel.targets.length);
    }
  });

  it("only queries metrics the sample app exposes or the Rollgate service exports", () => {
    const queried = dashboard.panels.flatMap((panel) => panel.targets.flatMap((target) => queriedMetrics(target.expr)));

    expect(queried.length).toBeGreaterThan(0);
    for (const name of queried) expect(exposed.has(name) || exportedByRollgate.has(name), name).toBe(true);
    expect(queried).toContain("rollgate_canary_weight");
    expect(exportedByRollgate.has("rollgate_canary_weight")).toBe(true);
  });

  it("charts every metric the alerts fire on, and the sample app exposes each of them", () => {
    const alerted = buildAlertRules(options).flatMap((group) => group.rules.flatMap((rule) => queriedMetrics(rule.expr)));
    const charted = new Set(dashboard.panels.flatMap((panel) => panel.targets.flatMap((target) => queriedMetrics(target.expr))));

    expect(alerted.length).toBeGreaterThan(0);
    for (const name of alerted) {
      expect(exposed.has(name), name).toBe(true);
      expect(charted.has(name), name).toBe(true);
    }
  });
});
