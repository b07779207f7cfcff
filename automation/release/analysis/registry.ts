/**
 * Metric providers by kind. A new provider is one file and one line here;
 * the settings are a discriminated union on `kind`.
 */
import { PrometheusProvider, type PrometheusOptions } from "./prometheus";
import type { MetricProvider } from "./provider";

export interface MetricProviderSettings {
  readonly prometheus: PrometheusOptions;
}

export type MetricProviderKind = keyof MetricProviderSettings;

export type MetricProviderConfig = { [K in MetricProviderKind]: { readonly kind: K } & MetricProviderSettings[K] }[MetricProviderKind];

export const metricProviders: { readonly [K in MetricProviderKind]: (settings: MetricProviderSettings[K]) => MetricProvider } = {
  prometheus: (settings) => new PrometheusProvider(settings),
};

export function createMetricProvider(config: MetricProviderConfig): MetricProvider {
  const { kind, ...settings } = config;
  const factory = metricProviders[kind];
  if (factory === undefined) throw new TypeError(`unsupported metric provider kind "${String(kind)}"`);
  return factory(settings);
}
