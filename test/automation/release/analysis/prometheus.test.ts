import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { PrometheusProvider, parseSampleValue } from "../../../../automation/release/analysis/prometheus";
import { createMetricProvider } from "../../../../automation/release/analysis/registry";
import { FakeMetrics } from "../fakes";
import { fakeUpstreamForFile, json, type Handler } from "./fakeUpstream";
import { describeMetricProviderContract } from "./providerContract";

const upstream = fakeUpstreamForFile();
let baseUrl: string;
beforeAll(() => {
  baseUrl = upstream.url;
});

function vector(...values: string[]): Handler {
  return json(200, {
    status: "success",
    data: { resultType: "vector", result: values.map((value, i) => ({ metric: { pod: `p${i}` }, value: [1_772_355_600.123, value] })) },
  });
}

const provider = (timeoutMs = 5_000) => new PrometheusProvider({ baseUrl, timeoutMs });

describeMetricProviderContract("PrometheusProvider", () => ({
  provider: provider(),
  answerValue: (value) => (upstream.handler = vector(String(value))),
  answerEmpty: () => (upstream.handler = vector()),
  answerNaN: () => (upstream.handler = vector("NaN")),
  answerFailure: () => (upstream.handler = json(500, { status: "error", errorType: "internal", error: "boom" })),
}));

describeMetricProviderContract("FakeMetrics", () => {
  const fake = new FakeMetrics();
  const answer = (measurement: { value: number | null; error?: string }) => fake.set("sum(rate(http_requests_total[5m]))", measurement);
  return {
    provider: fake,
    answerValue: (value) => answer({ value }),
    answerEmpty: () => answer({ value: null }),
    answerNaN: () => answer({ value: Number.NaN }),
    answerFailure: () => answer({ value: null, error: "down" }),
  };
});

describe("PrometheusProvider", () => {
  it("sends an instant query to /api/v1/query", async () => {
    upstream.handler = vector("0.0123");

    const measurement = await provider().measure('sum(rate(http_requests_total{track="canary"}[5m]))', 300);

    expect(measurement).toEqual({ value: 0.0123 });
    expect(upstream.requests[0]?.url.pathname).toBe("/api/v1/query");
    expect(upstream.requests[0]?.url.searchParams.get("query")).toBe('sum(rate(http_requests_total{track="canary"}[5m]))');
    expect(upstream.requests[0]?.headers.accept).toBe("application/json");
  });

  it("keeps a path prefix of the base URL and sends configured headers", async () => {
    upstream.handler = vector("1");

    await new PrometheusProvider({ baseUrl: `${baseUrl}/prometheus/`, headers: { authorization: "Bearer t0ken" } }).measure("up", 60);

    expect(upstream.requests[0]?.url.pathname).toBe("/prometheus/api/v1/query");
    expect(upstream.requests[0]?.headers.authorization).toBe("Bearer t0ken");
  });

  it("replaces $window with the analysis window", async () => {
    upstream.handler = vector("1");

    await provider().measure("sum(rate(errors_total[$window])) / sum(rate(requests_total[$window]))", 120);

    expect(upstream.requests[0]?.url.searchParams.get("query")).toBe("sum(rate(errors_total[2m])) / sum(rate(requests_total[2m]))");
  });

  it("reads a scalar result", async () => {
    upstream.handler = json(200, { status: "success", data: { resultType: "scalar", result: [1_772_355_600, "42"] } });

    expect(await provider().measure("scalar(up)", 60)).toEqual({ value: 42 });
  });

  it("reads an empty vector as no data", async () => {
    upstream.handler = vector();

    expect(await provider().measure("up", 60)).toEqual({ value: null });
  });

  it("reads NaN and infinite samples", async () => {
    upstream.handler = vector("NaN");
    expect((await provider().measure("up", 60)).value).toBeNaN();

    upstream.handler = vector("+Inf");
    expect(await provider().measure("up", 60)).toEqual({ value: Number.POSITIVE_INFINITY });
  });

  it("refuses a query that returns several series", async () => {
    upstream.handler = vector("1", "2");

    expect(await provider().measure("up", 60)).toEqual({ value: null, error: "query returned 2 series; it must return one (aggregate with sum or similar)" });
  });

  it("refuses a range result", async () => {
    upstream.handler = json(200, { status: "success", data: { resultType: "matrix", result: [] } });

    expect((await provider().measure("up[5m]", 60)).error).toBe("query returned a matrix; it must return an instant vector or a scalar");
  });

  it("returns an HTTP 500 as an error measurement", async () => {
    upstream.handler = (_request, response) => {
      response.writeHead(500, { "content-type": "text/plain" });
      response.end("internal server error");
    };

    expect(await provider().measure("up", 60)).toEqual({ value: null, error: "HTTP 500: internal server error" });
  });

  it("returns Prometheus's own error with its type", async () => {
    upstream.handler = json(400, { status: "error", errorType: "bad_data", error: 'parse error: unexpected "}"' });

    expect(await provider().measure("up}", 60)).toEqual({ value: null, error: 'HTTP 400: bad_data: parse error: unexpected "}"' });
  });

  it("returns a body that is not Prometheus JSON as an error", async () => {
    upstream.handler = (_request, response) => {
      response.writeHead(200, { "content-type": "text/html" });
      response.end("<html>login</html>");
    };

    expect(await provider().measure("up", 60)).toEqual({ value: null, error: "unexpected response from Prometheus (HTTP 200)" });
  });

  it("returns a sample that is not a number as an error", async () => {
    upstream.handler = vector("lots");

    expect(await provider().measure("up", 60)).toEqual({ value: null, error: 'sample value "lots" is not a number' });
  });

  it("returns a timeout as an error measurement", async () => {
    upstream.handler = () => undefined; // never answers

    expect(await provider(200).measure("up", 60)).toEqual({ value: null, error: "timed out after 200 ms" });
  });

  it("returns an unreachable server as an error measurement", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const measurement = await new PrometheusProvider({ baseUrl: `http://127.0.0.1:${port}` }).measure("up", 60);

    expect(measurement.value).toBeNull();
    expect(measurement.error).toMatch(/^request failed: /);
  });

  it("stops when the caller aborts", async () => {
    upstream.handler = () => undefined;
    const controller = new AbortController();

    const pending = new PrometheusProvider({ baseUrl, timeoutMs: 10_000 }).measure("up", 60, controller.signal);
    controller.abort();

    expect(await pending).toEqual({ value: null, error: "measurement aborted" });
  });

  it("refuses a base URL that is not absolute http(s)", () => {
    expect(() => new PrometheusProvider({ baseUrl: "prometheus:9090/x" })).toThrow(/`baseUrl`/);
    expect(() => new PrometheusProvider({ baseUrl: "not a url" })).toThrow(/`baseUrl` must be an absolute URL/);
  });
});

describe("Prometheus sample values", () => {
  it("parse numbers, NaN and infinities, and nothing else", () => {
    expect([parseSampleValue("1e-3"), parseSampleValue("+Inf"), parseSampleValue("-Inf"), parseSampleValue(""), parseSampleValue("abc")]).toEqual([
      0.001,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      undefined,
      undefined,
    ]);
  });
});

describe("metric provider registry", () => {
  it("builds a Prometheus provider from its settings", async () => {
    upstream.handler = vector("7");

    const created = createMetricProvider({ kind: "prometheus", baseUrl });

    expect(created.kind).toBe("prometheus");
    expect(await created.measure("up", 60)).toEqual({ value: 7 });
  });
});
