/** The release controller's metric provider: the configured one, otherwise one that says there is none. */
import { createMetricProvider, type MetricProviderConfig } from "../../release/analysis/registry";
import type { MetricProvider } from "../../release/analysis/provider";

export const NO_METRICS_ERROR = "no metrics provider is configured (set ROLLGATE_PROMETHEUS_URL or ROLLGATE_METRIC_PROVIDER)";

/**
 * Without a provider every measurement is an `error` (as data): a release
 * still starts and raises its first weight, and its first analysis errors
 * out after `consecutiveErrorLimit + 1` attempts, which rolls it back. A
 * release whose analysis has no checks (`errorRate` and `latency` disabled,
 * `minRequests: 0`, no `queries`) measures nothing and is not affected.
 */
export const unconfiguredMetrics: MetricProvider = {
  kind: "none",
  // Never sent anywhere: every measurement errors.
  builtInQueries: {
    requestCount: (track) => `${track} request count`,
    errorRatio: (track) => `${track} error ratio`,
    latencyQuantile: (track, quantile) => `${track} latency quantile ${quantile}`,
  },
  measure: async () => ({ value: null, error: NO_METRICS_ERROR }),
};

export function releaseMetricProvider(config: MetricProviderConfig | undefined, fetchImpl?: typeof fetch): MetricProvider {
  if (config === undefined) return unconfiguredMetrics;
  return createMetricProvider(config, { fetch: fetchImpl });
}
