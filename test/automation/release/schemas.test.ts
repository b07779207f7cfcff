import { describe, expect, it } from "vitest";
import { zodToJsonSchema } from "../../../automation/openapi/zodToJsonSchema";
import { ReleaseValidationError } from "../../../automation/release/errors";
import {
  analysisConfigSchema,
  fieldPath,
  parseStartReleaseRequest,
  releaseSchema,
  startReleaseRequestSchema,
} from "../../../automation/release/schemas";
import { createRelease } from "../../../automation/release/stateMachine";

const valid = { environment: "staging", image: "registry.example/web:1.1.0" };

function issuesOf(input: unknown): { field: string; message: string }[] {
  try {
    parseStartReleaseRequest(input);
  } catch (error) {
    if (error instanceof ReleaseValidationError) return [...error.issues];
    throw error;
  }
  throw new Error("expected the request to be rejected");
}

describe("start request", () => {
  it("leaves the steps to the risk plan and fills in the default analysis settings", () => {
    const parsed = parseStartReleaseRequest(valid);

    expect(parsed.steps).toBeUndefined();
    expect(parsed.analysis).toEqual({
      windowSeconds: 300,
      selector: {},
      count: 1,
      intervalSeconds: 60,
      failureLimit: 0,
      inconclusiveLimit: 0,
      consecutiveErrorLimit: 4,
      compareTo: "stable",
      minRequests: 50,
      errorRate: { enabled: true, maxRatio: 0.01, maxRatioVsStable: 2, minRatioForRelative: 0.001 },
      latency: { enabled: true, quantile: 0.99, maxRatioVsStable: 3, minSecondsForRelative: 0.01 },
      inconclusive: { action: "extend", maxExtensions: 2, whenExhausted: "pause" },
      queries: [],
    });
  });

  it("keeps given settings and fills the rest", () => {
    const parsed = parseStartReleaseRequest({ ...valid, analysis: { latency: { maxSeconds: 0.5 }, inconclusive: { action: "fail" } } });

    expect(parsed.analysis.latency).toMatchObject({ maxSeconds: 0.5, quantile: 0.99 });
    expect(parsed.analysis.inconclusive).toEqual({ action: "fail", maxExtensions: 2, whenExhausted: "pause" });
  });

  it("accepts a 40-hex commit SHA and lower-cases it", () => {
    expect(parseStartReleaseRequest({ ...valid, commitSha: "A".repeat(40) }).commitSha).toBe("a".repeat(40));
  });

  it("names a bad commit SHA", () => {
    expect(issuesOf({ ...valid, commitSha: "abc123" })).toEqual([{ field: "commitSha", message: "must be a 40-character hexadecimal commit SHA" }]);
  });

  it("names missing fields", () => {
    expect(issuesOf({})).toEqual([
      { field: "environment", message: "is required" },
      { field: "image", message: "is required" },
    ]);
  });

  it("rejects unknown fields, naming each one, at any depth", () => {
    expect(issuesOf({ ...valid, force: true, analysis: { errorRate: { max: 0.1 } } })).toEqual([
      { field: "analysis.errorRate.max", message: "is not a known field" },
      { field: "force", message: "is not a known field" },
    ]);
  });

  it("names a step weight out of range by index", () => {
    expect(issuesOf({ ...valid, steps: [{ weight: 10 }, { weight: 120 }] })).toEqual([{ field: "steps[1].weight", message: "must be at most 100" }]);
  });

  it("names a step weight that does not increase", () => {
    expect(issuesOf({ ...valid, steps: [{ weight: 50 }, { weight: 20 }] })).toEqual([
      { field: "steps[1].weight", message: "must be greater than the previous step's weight (50), got 20" },
    ]);
  });

  it("names fractional and mistyped numbers", () => {
    expect(issuesOf({ ...valid, steps: [{ weight: 12.5, pauseSeconds: "60" }] })).toEqual([
      { field: "steps[0].weight", message: "must be a whole number" },
      { field: "steps[0].pauseSeconds", message: "must be a number, got string" },
    ]);
  });

  it("requires at least one step", () => {
    expect(issuesOf({ ...valid, steps: [] })).toEqual([{ field: "steps", message: "must have at least 1 item" }]);
  });

  it("names an environment that is not a DNS label and an image with whitespace", () => {
    expect(issuesOf({ environment: "Staging_1", image: "web app" }).map((i) => i.field)).toEqual(["environment", "image"]);
  });

  it("names an invalid custom condition with the parser's reason", () => {
    const issues = issuesOf({ ...valid, analysis: { queries: [{ name: "q", query: "up", successCondition: "result <" }] } });

    expect(issues).toHaveLength(1);
    expect(issues[0]?.field).toBe("analysis.queries[0].successCondition");
    expect(issues[0]?.message).toMatch(/^must be a valid condition: expected `result` or a number/);
  });

  it("requires a condition on a custom query", () => {
    expect(issuesOf({ ...valid, analysis: { queries: [{ name: "q", query: "up" }] } })).toEqual([
      { field: "analysis.queries[0].successCondition", message: "is required unless `failureCondition` is given" },
    ]);
  });

  it("refuses custom query names that repeat or shadow a built-in", () => {
    const queries = [
      { name: "latency", query: "up", successCondition: "result > 0" },
      { name: "q", query: "up", successCondition: "result > 0" },
      { name: "q", query: "up", successCondition: "result > 0" },
    ];

    expect(issuesOf({ ...valid, analysis: { queries } }).map((i) => i.field)).toEqual(["analysis.queries[0].name", "analysis.queries[2].name"]);
  });

  it("refuses selector labels the queries set themselves or that are not label names", () => {
    const issues = issuesOf({ ...valid, analysis: { selector: { track: "canary", "app.kubernetes.io/name": "web", app: "web" } } });

    expect(issues.map((i) => i.field)).toEqual(["analysis.selector.track", 'analysis.selector["app.kubernetes.io/name"]']);
  });

  it("names an enum value that is not allowed, listing the options", () => {
    expect(issuesOf({ ...valid, analysis: { inconclusive: { action: "ignore" } } })).toEqual([
      { field: "analysis.inconclusive.action", message: 'must be one of "extend", "pause", "fail"' },
    ]);
  });

  it("says which field is wrong in the error message", () => {
    expect(() => parseStartReleaseRequest({ ...valid, steps: [{ weight: 0 }] })).toThrow("`steps[0].weight` must be at least 1");
  });

  it("gives types for the schema's input and output", () => {
    const parsed = startReleaseRequestSchema.parse(valid);
    const window: number = parsed.analysis.windowSeconds;
    expect(window).toBe(300);
  });
});

describe("the analysis settings in the OpenAPI document", () => {
  it("say custom queries and the selector are in the metric provider's own language", () => {
    const analysis = zodToJsonSchema(analysisConfigSchema) as { properties: Record<string, { description?: string; items?: { properties: Record<string, { description?: string }> } }> };

    expect(analysis.properties.queries?.items?.properties.query?.description).toMatch(/metric provider's own query language, sent as written/);
    expect(analysis.properties.selector?.description).toMatch(/metric provider writes them in its own language/);
  });
});

describe("field paths", () => {
  it("join names with dots and indices with brackets", () => {
    expect(fieldPath(["analysis", "queries", 2, "name"])).toBe("analysis.queries[2].name");
    expect(fieldPath([])).toBe("(body)");
  });
});

describe("mirror and header steps", () => {
  it("parses each step form with its pause", () => {
    const parsed = parseStartReleaseRequest({
      ...valid,
      steps: [{ mirror: 20, pauseSeconds: 60 }, { header: { name: "X-Canary", value: "internal" } }, { weight: 10 }, { weight: 100, pauseSeconds: 0 }],
    });

    expect(parsed.steps).toEqual([
      { mirror: 20, pauseSeconds: 60 },
      { header: { name: "x-canary", value: "internal" }, pauseSeconds: 300 },
      { weight: 10, pauseSeconds: 300 },
      { weight: 100, pauseSeconds: 0 },
    ]);
  });

  it("takes a header step between weight steps", () => {
    const steps = [{ weight: 5 }, { header: { name: "x-canary", value: "1" } }, { weight: 50 }];

    expect(parseStartReleaseRequest({ ...valid, steps }).steps).toHaveLength(3);
  });

  it("requires one of weight, mirror or header", () => {
    expect(issuesOf({ ...valid, steps: [{ pauseSeconds: 10 }] })).toEqual([
      { field: "steps[0].weight", message: "is required unless the step is a `mirror` or `header` step" },
    ]);
  });

  it("refuses a step of two forms, naming the second", () => {
    expect(issuesOf({ ...valid, steps: [{ weight: 10, mirror: 10 }] })).toEqual([
      { field: "steps[0].mirror", message: "must not be given with `weight`: a step is one of `weight`, `mirror` or `header`" },
    ]);
  });

  it.each([0, 101, 2.5])("names a mirror percent of %s", (mirror) => {
    expect(issuesOf({ ...valid, steps: [{ mirror }] }).map((issue) => issue.field)).toEqual(["steps[0].mirror"]);
  });

  it.each(["x_canary", "x canary", "x-", "host", ""])("names the header name %j", (name) => {
    const [issue] = issuesOf({ ...valid, steps: [{ header: { name, value: "1" } }] });

    expect(issue?.field).toBe("steps[0].header.name");
    expect(issue?.message).toMatch(/^must/);
  });

  it.each(["", " leading", "a\nb", "x".repeat(257)])("names the header value %j", (value) => {
    expect(issuesOf({ ...valid, steps: [{ header: { name: "x-canary", value } }] })).toEqual([
      { field: "steps[0].header.value", message: "must be 1 to 256 visible ASCII characters (inner spaces allowed)" },
    ]);
  });

  it("names a missing header value and unknown header fields", () => {
    expect(issuesOf({ ...valid, steps: [{ header: { name: "x-canary", exact: "1" } }] })).toEqual([
      { field: "steps[0].header.value", message: "is required" },
      { field: "steps[0].header.exact", message: "is not a known field" },
    ]);
  });

  it("refuses a mirror step after a weight step", () => {
    expect(issuesOf({ ...valid, steps: [{ weight: 10 }, { mirror: 50 }, { weight: 100 }] })).toEqual([
      {
        field: "steps[1].mirror",
        message: "must come before the first weight step: once the canary serves live traffic, mirrored copies of it would reach the canary twice",
      },
    ]);
  });

  it("refuses a header step once the weight is 100", () => {
    expect(issuesOf({ ...valid, steps: [{ weight: 100 }, { header: { name: "x-canary", value: "1" } }] })).toEqual([
      { field: "steps[1].header", message: "must come before the weight reaches 100: from then on every request goes to the canary" },
    ]);
  });

  it("checks the order of weights across mirror and header steps, naming the step's own index", () => {
    expect(issuesOf({ ...valid, steps: [{ weight: 50 }, { header: { name: "x-canary", value: "1" } }, { weight: 20 }] })).toEqual([
      { field: "steps[2].weight", message: "must be greater than the previous step's weight (50), got 20" },
    ]);
  });
});

describe("release record", () => {
  it("round-trips mirror and header steps through JSON", () => {
    const request = parseStartReleaseRequest({ ...valid, steps: [{ mirror: 10 }, { header: { name: "x-canary", value: "on" } }, { weight: 100 }] });
    const release = createRelease(request, { id: "rel-1", actor: "alice", previousImage: "registry.example/web:1.0.0", at: new Date("2026-03-01T09:00:00Z") });

    expect(releaseSchema.parse(JSON.parse(JSON.stringify(release)))).toEqual(release);
  });

  it("round-trips through JSON", () => {
    const release = createRelease(parseStartReleaseRequest({ ...valid, commitSha: "b".repeat(40) }), {
      id: "rel-1",
      actor: "alice",
      previousImage: "registry.example/web:1.0.0",
      at: new Date("2026-03-01T09:00:00Z"),
    });

    expect(releaseSchema.parse(JSON.parse(JSON.stringify(release)))).toEqual(release);
  });

  it("accepts analysis settings as stored (defaults already applied)", () => {
    const stored = analysisConfigSchema.parse({});
    expect(analysisConfigSchema.parse(JSON.parse(JSON.stringify(stored)))).toEqual(stored);
  });
});

describe("start request risk signals", () => {
  it("accepts CI's counts, coverage delta and files changed", () => {
    const riskSignals = { testsPassed: 120, testsFailed: 0, coverageDelta: -1.5, filesChanged: 12 };

    expect(parseStartReleaseRequest({ ...valid, riskSignals }).riskSignals).toEqual(riskSignals);
  });

  it("leaves every signal optional", () => {
    expect(parseStartReleaseRequest({ ...valid, riskSignals: {} }).riskSignals).toEqual({});
    expect(parseStartReleaseRequest(valid).riskSignals).toBeUndefined();
  });

  it("names each bad signal", () => {
    const riskSignals = { testsPassed: 1.5, testsFailed: -1, coverageDelta: 101, filesChanged: "12", flaky: 3 };

    expect(issuesOf({ ...valid, riskSignals })).toEqual([
      { field: "riskSignals.testsPassed", message: "must be a whole number" },
      { field: "riskSignals.testsFailed", message: "must be at least 0" },
      { field: "riskSignals.coverageDelta", message: "must be at most 100" },
      { field: "riskSignals.filesChanged", message: "must be a number, got string" },
      { field: "riskSignals.flaky", message: "is not a known field" },
    ]);
  });

  it("does not record the signals on the release yet", () => {
    const request = parseStartReleaseRequest({ ...valid, riskSignals: { testsFailed: 2 } });

    const release = createRelease(request, { id: "r1", actor: "ci", previousImage: "registry.example/web:1.0.0", at: new Date(0) });

    expect(releaseSchema.parse(release)).not.toHaveProperty("riskSignals");
  });
});
