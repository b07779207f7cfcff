import { readFile } from "node:fs/promises";
import { join } from "node:path";
import pino from "pino";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { buildApp } from "../support/app";
import { EnvError, parseEnv } from "../../../automation/env";
import type { ReleaseEvent } from "../../../automation/release/ports";
import { parseStartReleaseRequest, type StartReleaseRequestInput } from "../../../automation/release/schemas";
import { createReleaseController, DEFAULT_RELEASE_DEPLOYER } from "../../../automation/services/releases/controllerFactory";
import { NO_METRICS_ERROR, releaseMetricProvider, unconfiguredMetrics } from "../../../automation/services/releases/metrics";
import { WebhookNotifier } from "../../../automation/services/releases/webhookNotifier";
import { InMemoryReleaseStore } from "../../support/inMemoryReleaseStore";
import { releaseProvenanceProblems } from "../../../policies/checks/releases";
import { FakeClock, FakeCluster, FakeEngine, harness, scriptTraffic } from "../release/fakes";
import { startServer, type LocalServer } from "../support/httpServer";
import { bearer, releaseTokens, releaseTokenStore } from "./support";

/** The one required setting. */
const database = { ROLLGATE_DATABASE_URL: "postgres://rollgate:pw@db.example:5432/rollgate" };

const silent = pino({ level: "silent" });
const CANARY = "registry.example/web:1.1.0";
const scope = { selector: {}, windowSeconds: 300 };
const noChecks = { errorRate: { enabled: false }, latency: { enabled: false }, minRequests: 0 };

function releaseRequest(input: Partial<StartReleaseRequestInput> = {}) {
  return parseStartReleaseRequest({ environment: "staging", image: CANARY, ...input });
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function server(handler: Parameters<typeof startServer>[0]): Promise<LocalServer> {
  const started = await startServer(handler);
  cleanups.push(() => started.close());
  return started;
}

describe("release provenance stamped by the controller", () => {
  it("sets the release id and the deployer on every stack update", async () => {
    const h = harness({ settings: { deployedBy: DEFAULT_RELEASE_DEPLOYER } });
    scriptTraffic(h.metrics, scope);

    const started = await h.controller.start(releaseRequest(), "alice");
    const final = await h.controller.whenSettled(started.id);

    expect(final.status).toBe("succeeded");
    expect(h.engine.ups.length).toBeGreaterThan(0);
    for (const up of h.engine.ups) {
      expect(up.config).toMatchObject({ "rollgate:releaseId": started.id, "rollgate:deployedBy": "rollgate-release-controller" });
    }
  });

  it("leaves stack config that passes the production policy's release rule when stable is promoted", async () => {
    const h = harness({ settings: { deployedBy: DEFAULT_RELEASE_DEPLOYER } });
    scriptTraffic(h.metrics, scope);
    const rule = JSON.parse(await readFile(join(__dirname, "../../../policies/config/production.json"), "utf8"))["stable-image-through-release"];

    const started = await h.controller.start(releaseRequest(), "alice");
    await h.controller.whenSettled(started.id);
    const promotion = h.engine.ups.find((up) => up.config["rollgate:stableImage"] === CANARY);
    const config = h.engine.configOf("staging");

    expect(promotion?.config["rollgate:releaseId"]).toBe(started.id);
    expect(
      releaseProvenanceProblems(
        { "rollgate.dev/release-id": config["rollgate:releaseId"] ?? "", "rollgate.dev/deployed-by": config["rollgate:deployedBy"] ?? "" },
        rule,
      ),
    ).toEqual([]);
  });

  it("stamps the configured deployer identity", async () => {
    const h = harness({ settings: { deployedBy: "acme-deployer" } });

    const started = await h.controller.start(releaseRequest({ analysis: noChecks, steps: [{ weight: 100, pauseSeconds: 0 }] }), "bob");
    await h.controller.whenSettled(started.id);

    expect(h.engine.configOf("staging")["rollgate:deployedBy"]).toBe("acme-deployer");
  });
});

describe("releases without Prometheus", () => {
  it("start, raise the first weight, and roll back when every measurement errors", async () => {
    const h = harness({ metrics: unconfiguredMetrics });

    const started = await h.controller.start(releaseRequest(), "alice");
    const final = await h.controller.whenSettled(started.id);

    expect(final.status).toBe("rolledBack");
    expect(final.reason).toContain("analysis errored at step 1/4 (5%)");
    expect(final.reason).toContain("ROLLGATE_PROMETHEUS_URL");
    expect(final.analysis.filter((record) => record.metric === "error-rate")).toHaveLength(5);
    expect(h.engine.configOf("staging")).toMatchObject({ "rollgate:canaryImage": "", "rollgate:canaryWeight": "0" });
  });

  it("succeed when the analysis has no checks", async () => {
    const h = harness({ metrics: unconfiguredMetrics });

    const started = await h.controller.start(releaseRequest({ analysis: noChecks }), "alice");
    const final = await h.controller.whenSettled(started.id);

    expect(final.status).toBe("succeeded");
  });

  it("use the no-metrics provider only when no metric provider is configured", async () => {
    expect(releaseMetricProvider(undefined)).toBe(unconfiguredMetrics);
    expect(releaseMetricProvider({ kind: "prometheus", baseUrl: "http://prometheus:9090" }).kind).toBe("prometheus");
    expect(releaseMetricProvider({ kind: "http-json", url: "http://metrics:8080/query" }).kind).toBe("http-json");
    expect(await unconfiguredMetrics.measure("up", 300)).toEqual({ value: null, error: NO_METRICS_ERROR });
  });
});

describe("createReleaseController", () => {
  it("keeps records in the given store and stamps the deployer on every update", async () => {
    const store = new InMemoryReleaseStore();
    const engine = new FakeEngine();

    const controller = await createReleaseController({
      store,
      engine,
      cluster: new FakeCluster(engine),
      logger: silent,
      clock: new FakeClock(),
    });
    const started = await controller.start(releaseRequest({ analysis: noChecks, steps: [{ weight: 100, pauseSeconds: 0 }] }), "alice");
    const final = await controller.whenSettled(started.id);

    expect(final.status).toBe("succeeded");
    expect((await store.list()).map((release) => release.id)).toEqual([started.id]);
    expect(engine.configOf("staging")["rollgate:deployedBy"]).toBe("rollgate-release-controller");
  });

  it("posts release events to the webhook", async () => {
    const events: ReleaseEvent[] = [];
    const hook = await server((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      req.on("end", () => {
        events.push(JSON.parse(body) as ReleaseEvent);
        res.statusCode = 204;
        res.end();
      });
    });
    const engine = new FakeEngine();
    const controller = await createReleaseController({
      store: new InMemoryReleaseStore(),
      engine,
      cluster: new FakeCluster(engine),
      logger: silent,
      clock: new FakeClock(),
      webhookUrl: `${hook.url}/hooks/releases`,
    });

    const started = await controller.start(releaseRequest({ analysis: noChecks, steps: [{ weight: 100, pauseSeconds: 0 }] }), "alice");
    await controller.whenSettled(started.id);

    expect(hook.requests).toEqual(["POST /hooks/releases", "POST /hooks/releases", "POST /hooks/releases"]);
    expect(events.map((event) => event.type)).toEqual(["release.started", "release.step", "release.promoted"]);
    expect(events[0]).toMatchObject({ releaseId: started.id, environment: "staging", image: CANARY, actor: "alice" });
  });
});

describe("WebhookNotifier", () => {
  const event = { type: "release.started", releaseId: "r1" } as ReleaseEvent;

  it("rejects on a non-2xx answer", async () => {
    const hook = await server((_req, res) => {
      res.statusCode = 500;
      res.end("boom");
    });

    await expect(new WebhookNotifier({ url: hook.url }).notify(event)).rejects.toThrow("the release webhook answered HTTP 500");
  });

  it("gives up after its timeout", async () => {
    const hook = await server(() => undefined);

    await expect(new WebhookNotifier({ url: hook.url, timeoutMs: 50 }).notify(event)).rejects.toThrow();
  });
});

describe("the release controller behind the HTTP API", () => {
  it("runs a release started over HTTP to success and shows every step's measurements", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope);
    const rollgate = buildApp({
      engine: h.engine,
      logger: silent,
      tokens: releaseTokenStore(),
      readinessChecks: [],
      waitForDeployment: async () => undefined,
      config: { maxConcurrentOperations: 1, previewDefaultTtlHours: 72, smokeChecks: [] },
      releases: h.controller,
    });
    const http = request(rollgate.app);

    const started = await http.post("/api/v1/releases").set("Authorization", bearer(releaseTokens.staging)).send({ environment: "staging", image: CANARY });
    await h.controller.whenSettled(started.body.id);
    const record = await http.get(`/api/v1/releases/${started.body.id}`).set("Authorization", bearer(releaseTokens.staging));

    expect(started.status).toBe(202);
    expect(record.body).toMatchObject({ status: "succeeded", weight: 0, step: 4, stepCount: 4, actor: "ci-staging", previousImage: "registry.example/web:1.0.0" });
    expect(new Set(record.body.analysis.map((entry: { step: number }) => entry.step))).toEqual(new Set([0, 1, 2, 3]));
  });
});

describe("release settings from the environment", () => {
  it("default to no Prometheus, no webhook and the controller's deployer identity", () => {
    expect(parseEnv(database).releases).toEqual({
      deployer: "rollgate-release-controller",
      settings: { pollIntervalSeconds: 2, progressDeadlineSeconds: 600, onRestart: "resume" },
    });
  });

  it("read the controller's poll interval, progress deadline and restart policy", () => {
    const config = parseEnv({ ...database,
      ROLLGATE_RELEASE_POLL_INTERVAL_SECONDS: "1",
      ROLLGATE_RELEASE_PROGRESS_DEADLINE_SECONDS: "120",
      ROLLGATE_RELEASE_ON_RESTART: "rollback",
    });

    expect(config.releases.settings).toEqual({ pollIntervalSeconds: 1, progressDeadlineSeconds: 120, onRestart: "rollback" });
  });

  it("read the Prometheus URL, the webhook and the deployer", () => {
    const config = parseEnv({ ...database,
      ROLLGATE_PROMETHEUS_URL: "http://prometheus.monitoring:9090",
      ROLLGATE_RELEASE_WEBHOOK_URL: "https://hooks.example/rollgate",
      ROLLGATE_RELEASE_DEPLOYER: "acme-deployer",
    });

    expect(config.releases).toMatchObject({
      metricProvider: { kind: "prometheus", baseUrl: "http://prometheus.monitoring:9090" },
      webhookUrl: "https://hooks.example/rollgate",
      deployer: "acme-deployer",
    });
  });

  it("read a metric provider of any registered kind with its settings", () => {
    const config = parseEnv({ ...database,
      ROLLGATE_METRIC_PROVIDER: JSON.stringify({ kind: "http-json", url: "https://metrics.example/query", timeoutMs: 5000 }),
    });

    expect(config.releases.metricProvider).toEqual({ kind: "http-json", url: "https://metrics.example/query", timeoutMs: 5000 });
  });

  it.each([
    [{ ROLLGATE_METRIC_PROVIDER: '{"kind":"http-json","url":"ftp://metrics"}' }, "ROLLGATE_METRIC_PROVIDER url: must be an http(s) URL"],
    [{ ROLLGATE_METRIC_PROVIDER: '{"kind":"graphite"}' }, "ROLLGATE_METRIC_PROVIDER kind: must be one of prometheus, http-json"],
    [{ ROLLGATE_METRIC_PROVIDER: "{kind: prometheus}" }, "ROLLGATE_METRIC_PROVIDER must be valid JSON"],
    [
      { ROLLGATE_METRIC_PROVIDER: '{"kind":"prometheus","baseUrl":"http://prometheus:9090"}', ROLLGATE_PROMETHEUS_URL: "http://prometheus:9090" },
      "ROLLGATE_METRIC_PROVIDER is set together with ROLLGATE_PROMETHEUS_URL",
    ],
  ])("refuse a bad metric provider, naming the variable and the field: %j", (variables, message) => {
    expect(() => parseEnv({ ...database, ...variables })).toThrow(message);
  });

  it.each(["ROLLGATE_PROMETHEUS_URL", "ROLLGATE_RELEASE_WEBHOOK_URL"])("refuse a %s that is not an http(s) URL", (variable) => {
    const error = (() => {
      try {
        parseEnv({ ...database, [variable]: "ftp://example" });
      } catch (err) {
        return err;
      }
      return undefined;
    })();

    expect(error).toBeInstanceOf(EnvError);
    expect((error as EnvError).problems.map((problem) => problem.variable)).toEqual([variable]);
  });
});
