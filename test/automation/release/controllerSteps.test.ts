/** The controller applying mirror and header steps, and refusing them on a router that cannot do them. */
import { describe, expect, it } from "vitest";
import { ReleaseValidationError } from "../../../automation/release/errors";
import { parseStartReleaseRequest, type StartReleaseRequestInput } from "../../../automation/release/schemas";
import { FakeEngine, KEYS, harness, scriptTraffic } from "./fakes";

const STABLE = "registry.example/web:1.0.0";
const CANARY = "registry.example/web:1.1.0";
const scope = { selector: {}, windowSeconds: 300 };
const header = { name: "x-canary", value: "internal" };

const ROUTING = {
  mirror: "rollgate:canaryMirrorPercent",
  headerName: "rollgate:canaryHeaderName",
  headerValue: "rollgate:canaryHeaderValue",
} as const;

function request(steps: StartReleaseRequestInput["steps"]) {
  return parseStartReleaseRequest({ environment: "staging", image: CANARY, steps });
}

/** The routing an update sets: weight, mirror percent, header name and value ("" clears). */
function routing(weight: string, mirror = "", name = "", value = "") {
  return { [KEYS.canaryWeight]: weight, [ROUTING.mirror]: mirror, [ROUTING.headerName]: name, [ROUTING.headerValue]: value };
}

function engineWithRouter(router: string): FakeEngine {
  return new FakeEngine({ staging: { [KEYS.stableImage]: STABLE, "rollgate:router": router } });
}

describe("mirror and header steps", () => {
  it("sets each step's routing, clears it at the next weight step, and again when traffic returns to stable", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope);
    const steps = [{ mirror: 20, pauseSeconds: 0 }, { header, pauseSeconds: 0 }, { weight: 10, pauseSeconds: 0 }, { weight: 100, pauseSeconds: 0 }];

    const started = await h.controller.start(request(steps), "alice");
    const final = await h.controller.whenSettled(started.id);

    expect(final.status).toBe("succeeded");
    expect(h.engine.ups.map((call) => call.config)).toEqual([
      { [KEYS.canaryImage]: CANARY, [KEYS.canaryVerifiedDigest]: "", ...routing("0") },
      routing("0", "20"),
      routing("0", "", "x-canary", "internal"),
      routing("10"),
      routing("100"),
      { [KEYS.stableImage]: CANARY, [KEYS.stableVerifiedDigest]: "" },
      routing("0"),
      { [KEYS.canaryImage]: "" },
    ]);
  });

  it("keeps the live weight of the step before a header step", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope);
    const steps = [{ weight: 5, pauseSeconds: 0 }, { header, pauseSeconds: 0 }, { weight: 50, pauseSeconds: 0 }];

    const started = await h.controller.start(request(steps), "alice");
    await h.controller.whenSettled(started.id);

    expect(h.engine.ups[2]?.config).toEqual(routing("5", "", "x-canary", "internal"));
    expect(h.notifier.events.filter((event) => event.type === "release.step").map((event) => event.weight)).toEqual([5, 5, 50]);
  });

  it("clears the header route when a failing header step rolls back", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope, { canaryErrors: 0.5 });

    const started = await h.controller.start(request([{ header, pauseSeconds: 0 }, { weight: 100, pauseSeconds: 0 }]), "alice");
    const final = await h.controller.whenSettled(started.id);

    expect(final.status).toBe("rolledBack");
    expect(final.reason).toContain("step 1/2 (header x-canary: internal (weight 0%))");
    expect(h.engine.ups.map((call) => call.config).slice(-2)).toEqual([routing("0"), { [KEYS.canaryImage]: "" }]);
  });

  it("limits a mirror or header step's update to the router, like a weight change", async () => {
    const h = harness({ routerTargets: () => ["urn:pulumi:staging::rollgate::router"] });
    scriptTraffic(h.metrics, scope);

    const started = await h.controller.start(request([{ mirror: 50, pauseSeconds: 0 }]), "alice");
    await h.controller.whenSettled(started.id);

    expect(h.engine.ups.map((call) => [call.config[ROUTING.mirror], call.targets !== undefined])).toEqual([
      ["", false],
      ["50", true],
      [undefined, false],
      ["", true],
      [undefined, false],
    ]);
  });
});

describe("a release compared against a baseline", () => {
  it("runs the baseline with the canary, scales it with the canary's weight, and removes it with the canary", async () => {
    const targets: unknown[] = [];
    const h = harness({ engine: engineWithRouter("gateway-api"), routerTargets: (_environment, change) => (targets.push(change), ["router"]) });
    const language = scriptTraffic(h.metrics, scope).builtInQueries;
    h.metrics.set(language.errorRatio("baseline", scope), { value: 0.001 }).set(language.latencyQuantile("baseline", 0.99, scope), { value: 0.1 });

    const started = await h.controller.start(
      parseStartReleaseRequest({ environment: "staging", image: CANARY, steps: [{ weight: 50, pauseSeconds: 0 }], analysis: { compareTo: "baseline" } }),
      "alice",
    );
    const final = await h.controller.whenSettled(started.id);

    expect(final.status).toBe("succeeded");
    const configs = h.engine.ups.map((call) => call.config);
    expect(configs[0]).toMatchObject({ [KEYS.canaryImage]: CANARY, "rollgate:canaryBaseline": "true" });
    expect(configs.at(-1)).toEqual({ [KEYS.canaryImage]: "", "rollgate:canaryBaseline": "" });
    expect(targets).toContainEqual({ scaleCanary: true, baseline: true });
    expect(final.analysis.find((record) => record.metric === "error-rate")?.detail).toContain("× baseline 0.1%");
  });
});

describe("steps the environment's router cannot do", () => {
  it("are refused naming the router and the step's field, and nothing is created or updated", async () => {
    const h = harness({ engine: engineWithRouter("nginx") });

    const attempt = h.controller.start(request([{ mirror: 10, pauseSeconds: 0 }, { weight: 100, pauseSeconds: 0 }]), "alice");

    await expect(attempt).rejects.toBeInstanceOf(ReleaseValidationError);
    await expect(attempt).rejects.toMatchObject({ issues: [{ field: "steps[0].mirror", message: "cannot be used: router nginx cannot mirror traffic" }] });
    expect(await h.store.list()).toEqual([]);
    expect(h.engine.ups).toEqual([]);
  });

  it("refuse a comparison against a baseline on a router that cannot run one, before anything is created", async () => {
    const h = harness({ engine: engineWithRouter("nginx") });

    const attempt = h.controller.start(parseStartReleaseRequest({ environment: "staging", image: CANARY, analysis: { compareTo: "baseline" } }), "alice");

    await expect(attempt).rejects.toMatchObject({ issues: [{ field: "analysis.compareTo", message: 'cannot be "baseline": router nginx cannot run a baseline beside the canary' }] });
    expect(await h.store.list()).toEqual([]);
    expect(h.engine.ups).toEqual([]);
  });

  it("are refused on a router without header routing", async () => {
    const h = harness({ engine: engineWithRouter("cloudflare") });

    const attempt = h.controller.start(request([{ header, pauseSeconds: 0 }, { weight: 100, pauseSeconds: 0 }]), "alice");

    await expect(attempt).rejects.toThrow("`steps[0].header` cannot be used: router cloudflare cannot route by header");
  });

  it("include none of the steps a router declares, so nginx takes a header step", async () => {
    const h = harness({ engine: engineWithRouter("nginx") });
    scriptTraffic(h.metrics, scope);

    const started = await h.controller.start(request([{ header, pauseSeconds: 0 }, { weight: 100, pauseSeconds: 0 }]), "alice");

    expect((await h.controller.whenSettled(started.id)).status).toBe("succeeded");
  });

  it("are checked against the default router when the stack names none", async () => {
    const h = harness();
    scriptTraffic(h.metrics, scope);

    const started = await h.controller.start(request([{ mirror: 10, pauseSeconds: 0 }]), "alice");

    expect((await h.controller.whenSettled(started.id)).status).toBe("succeeded");
  });
});
