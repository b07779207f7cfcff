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
  it("fills in the default steps and analysis settings", () => {
    const parsed = parseStartReleaseRequest(valid);

    expect(parsed.steps.map((s) => [s.weight, s.pauseSeconds])).toEqual([
      [5, 300],
      [25, 300],
      [50, 300],
      [100, 300],
    ]);
    expect(parsed.analysis).toEqual({
      windowSeconds: 300,
      selector: {},
      count: 1,
      intervalSeconds: 60,
      failureLimit: 0,
      inconclusiveLimit: 0,
      consecutiveErrorLimit: 4,
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

describe("release record", () => {
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
