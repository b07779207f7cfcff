import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PrometheusProvider } from "../../../../automation/release/analysis/prometheus";
import {
  errorRatioQuery,
  escapeLabelValue,
  formatWindow,
  latencyQuantileQuery,
  matchers,
  promqlQueries,
  requestCountQuery,
} from "../../../../automation/release/analysis/promql";

const scope = { selector: { namespace: "shop", app: "web" }, windowSeconds: 300 };

describe("PromQL builders", () => {
  it("count a track's requests over the window", () => {
    expect(requestCountQuery("canary", scope)).toBe('sum(increase(http_requests_total{track="canary",app="web",namespace="shop"}[5m]))');
  });

  it("divide a track's 5xx rate by its request rate, with no 5xx series counting as zero", () => {
    expect(errorRatioQuery("stable", scope)).toBe(
      '(sum(rate(http_requests_total{track="stable",code=~"5..",app="web",namespace="shop"}[5m])) or vector(0)) / sum(rate(http_requests_total{track="stable",app="web",namespace="shop"}[5m]))',
    );
  });

  it("take a quantile of the duration histogram by bucket", () => {
    expect(latencyQuantileQuery("canary", 0.99, scope)).toBe(
      'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{track="canary",app="web",namespace="shop"}[5m])))',
    );
  });

  it("work without a selector", () => {
    expect(requestCountQuery("canary", { selector: {}, windowSeconds: 90 })).toBe('sum(increase(http_requests_total{track="canary"}[90s]))');
  });

  it("refuse a quantile outside (0, 1)", () => {
    expect(() => latencyQuantileQuery("canary", 1, scope)).toThrow(RangeError);
  });

  it("refuse a selector that overrides the builder's labels or is not a label name", () => {
    expect(() => matchers("canary", { track: "stable" })).toThrow(/set by the query builder/);
    expect(() => matchers("canary", { "app.kubernetes.io/name": "web" })).toThrow(/invalid label name/);
  });
});

describe("Prometheus's built-in queries", () => {
  it("are the PromQL builders", () => {
    expect(promqlQueries.requestCount("canary", scope)).toBe(requestCountQuery("canary", scope));
    expect(promqlQueries.errorRatio("stable", scope)).toBe(errorRatioQuery("stable", scope));
    expect(promqlQueries.latencyQuantile("canary", 0.9, scope)).toBe(latencyQuantileQuery("canary", 0.9, scope));
  });

  it("are what the Prometheus provider offers the checks", () => {
    expect(new PrometheusProvider({ baseUrl: "http://prometheus:9090" }).builtInQueries).toBe(promqlQueries);
  });
});

describe("window formatting", () => {
  it("uses the largest whole unit", () => {
    expect([formatWindow(30), formatWindow(120), formatWindow(7200), formatWindow(3660)]).toEqual(["30s", "2m", "2h", "61m"]);
  });

  it("refuses non-positive or fractional windows", () => {
    expect(() => formatWindow(0)).toThrow(RangeError);
    expect(() => formatWindow(1.5)).toThrow(RangeError);
  });
});

describe("label value escaping", () => {
  it("escapes backslashes, quotes and newlines", () => {
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
  });

  it("never lets a value close the string early, and reads back unchanged", () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const escaped = escapeLabelValue(value);
        expect(firstUnescapedQuote(escaped)).toBe(-1);
        expect(unescape(escaped)).toBe(value);
      }),
    );
  });
});

/** Index of the first `"` not escaped by a backslash, or -1. */
function firstUnescapedQuote(text: string): number {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

/** PromQL's reading of the escapes the builder writes. */
function unescape(text: string): string {
  return text.replace(/\\(["\\n])/g, (_match, c: string) => (c === "n" ? "\n" : c));
}
