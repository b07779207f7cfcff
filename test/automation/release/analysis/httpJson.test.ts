import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { HttpJsonProvider, httpJsonQueries, httpJsonSettingsSchema } from "../../../../automation/release/analysis/httpJson";
import { fakeUpstreamForFile, json, text } from "./fakeUpstream";
import { describeMetricProviderContract } from "./providerContract";

const upstream = fakeUpstreamForFile();
let endpoint: string;
beforeAll(() => {
  endpoint = `${upstream.url}/metrics/query`;
});

const provider = (timeoutMs = 5_000) => new HttpJsonProvider({ url: endpoint, timeoutMs });
const scope = { selector: { namespace: "shop", app: "web" }, windowSeconds: 300 };

describeMetricProviderContract("HttpJsonProvider", () => ({
  provider: provider(),
  answerValue: (value) => (upstream.handler = json(200, { value })),
  answerEmpty: () => (upstream.handler = json(200, { value: null })),
  answerNaN: () => (upstream.handler = json(200, { value: "NaN" })),
  answerFailure: () => (upstream.handler = json(500, { error: "backend down" })),
}));

describe("HttpJsonProvider's built-in queries", () => {
  it("describe a request count as JSON, the selector in key order", () => {
    expect(httpJsonQueries.requestCount("canary", scope)).toBe('{"metric":"request_count","track":"canary","selector":{"app":"web","namespace":"shop"}}');
  });

  it("describe an error ratio as JSON", () => {
    expect(httpJsonQueries.errorRatio("stable", { selector: {}, windowSeconds: 60 })).toBe('{"metric":"error_ratio","track":"stable","selector":{}}');
  });

  it("describe a latency quantile as JSON with the quantile", () => {
    expect(httpJsonQueries.latencyQuantile("canary", 0.99, scope)).toBe(
      '{"metric":"latency_quantile","track":"canary","selector":{"app":"web","namespace":"shop"},"quantile":0.99}',
    );
  });

  it("refuse a quantile outside (0, 1)", () => {
    expect(() => httpJsonQueries.latencyQuantile("canary", 1, scope)).toThrow(RangeError);
  });

  it("are what the provider offers the checks", () => {
    expect(provider().builtInQueries).toBe(httpJsonQueries);
  });
});

describe("HttpJsonProvider", () => {
  it("sends the query and the window as parameters, keeping the endpoint's own", async () => {
    upstream.handler = json(200, { value: 0.0123 });
    const query = httpJsonQueries.errorRatio("canary", scope);

    const measurement = await new HttpJsonProvider({ url: `${endpoint}?source=checkout`, headers: { authorization: "Bearer t0ken" } }).measure(query, 120);

    expect(measurement).toEqual({ value: 0.0123 });
    expect(upstream.requests[0]?.url.pathname).toBe("/metrics/query");
    expect(Object.fromEntries(upstream.requests[0]?.url.searchParams ?? [])).toEqual({ source: "checkout", query, window: "120" });
    expect(upstream.requests[0]?.headers).toMatchObject({ accept: "application/json", authorization: "Bearer t0ken" });
  });

  it("sends a custom query as written", async () => {
    upstream.handler = json(200, { value: 3 });

    await provider().measure("avg:queue.depth{service:web}", 300);

    expect(upstream.requests[0]?.url.searchParams.get("query")).toBe("avg:queue.depth{service:web}");
  });

  it("reads a null value as no data", async () => {
    upstream.handler = json(200, { value: null });

    expect(await provider().measure("q", 60)).toEqual({ value: null });
  });

  it("reads NaN and infinities spelled as strings", async () => {
    upstream.handler = json(200, { value: "NaN" });
    expect((await provider().measure("q", 60)).value).toBeNaN();

    upstream.handler = json(200, { value: "+Inf" });
    expect(await provider().measure("q", 60)).toEqual({ value: Number.POSITIVE_INFINITY });

    upstream.handler = json(200, { value: "-Inf" });
    expect(await provider().measure("q", 60)).toEqual({ value: Number.NEGATIVE_INFINITY });
  });

  it("returns an HTTP 500 as an error measurement, with the endpoint's error when it gives one", async () => {
    upstream.handler = json(500, { error: "backend down" });
    expect(await provider().measure("q", 60)).toEqual({ value: null, error: "HTTP 500: backend down" });

    upstream.handler = text(500, "<html>oops</html>");
    expect(await provider().measure("q", 60)).toEqual({ value: null, error: "HTTP 500" });
  });

  it("returns an error the endpoint reports with a 200 as an error measurement", async () => {
    upstream.handler = json(200, { error: "unknown metric" });

    expect(await provider().measure("q", 60)).toEqual({ value: null, error: "unknown metric" });
  });

  it("returns an answer without a value as an error measurement", async () => {
    upstream.handler = json(200, { result: 1 });
    expect(await provider().measure("q", 60)).toEqual({ value: null, error: 'unexpected response (HTTP 200): expected {"value": number | null}' });

    upstream.handler = json(200, { value: "lots" });
    expect((await provider().measure("q", 60)).error).toMatch(/^unexpected response/);
  });

  it("returns a timeout as an error measurement", async () => {
    upstream.handler = () => undefined; // never answers

    expect(await provider(200).measure("q", 60)).toEqual({ value: null, error: "timed out after 200 ms" });
  });

  it("stops when the caller aborts", async () => {
    upstream.handler = () => undefined;
    const controller = new AbortController();

    const pending = provider(10_000).measure("q", 60, controller.signal);
    controller.abort();

    expect(await pending).toEqual({ value: null, error: "measurement aborted" });
  });

  it("returns an unreachable endpoint as an error measurement that does not repeat the URL", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const measurement = await new HttpJsonProvider({ url: `http://127.0.0.1:${port}/q?api_key=s3cret` }).measure("q", 60);

    expect(measurement.value).toBeNull();
    expect(measurement.error).toMatch(/^request failed: /);
    expect(measurement.error).not.toContain("s3cret");
  });
});

describe("HttpJsonProvider's settings", () => {
  it("take an http(s) URL, a timeout and headers", () => {
    expect(httpJsonSettingsSchema.parse({ url: "https://metrics.example/q", timeoutMs: 2000, headers: { authorization: "Bearer x" } })).toEqual({
      url: "https://metrics.example/q",
      timeoutMs: 2000,
      headers: { authorization: "Bearer x" },
    });
  });

  it.each([
    [{ url: "ftp://metrics.example/q" }, "url", "must be an http(s) URL"],
    [{ url: "metrics" }, "url", "must be an absolute URL"],
    [{ url: "https://user:pass@metrics.example/q" }, "url", "must not carry credentials (send them as `headers`)"],
    [{ url: "https://metrics.example/q", timeoutMs: 0 }, "timeoutMs", "Number must be greater than or equal to 1"],
  ])("refuse %j, naming the field", (settings, field, message) => {
    const result = httpJsonSettingsSchema.safeParse(settings);

    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => [issue.path.join("."), issue.message])).toContainEqual([field, message]);
  });

  it("refuse an unknown field", () => {
    expect(httpJsonSettingsSchema.safeParse({ url: "https://metrics.example/q", baseUrl: "x" }).success).toBe(false);
  });
});
