/**
 * Metric providers by kind. A new provider is one module (its settings
 * schema, its queries, its measuring) and one line here; the configuration a
 * service reads is a union on `kind` derived from these entries.
 */
import { z } from "zod";
import { httpJsonModule } from "./httpJson";
import { prometheusModule } from "./prometheus";
import type { MetricProvider, MetricProviderModule, ProviderRuntime } from "./provider";

const modules = {
  prometheus: prometheusModule,
  "http-json": httpJsonModule,
};

export type MetricProviderKind = keyof typeof modules;

type SettingsOf<K extends MetricProviderKind> = (typeof modules)[K] extends MetricProviderModule<infer Settings> ? Settings : never;

/** `{ kind: "prometheus", baseUrl: ... }`, ... */
export type MetricProviderConfig = { [K in MetricProviderKind]: { readonly kind: K } & SettingsOf<K> }[MetricProviderKind];

export const metricProviders: { readonly [K in MetricProviderKind]: MetricProviderModule<SettingsOf<K>> } = modules;

export const METRIC_PROVIDER_KINDS = Object.keys(metricProviders) as [MetricProviderKind, ...MetricProviderKind[]];

/** A provider's configuration: `kind`, then that provider's own settings (its schema reports each bad field by name). */
export const metricProviderConfigSchema: z.ZodType<MetricProviderConfig, z.ZodTypeDef, unknown> = z
  .object({ kind: z.enum(METRIC_PROVIDER_KINDS, { errorMap: () => ({ message: `must be one of ${METRIC_PROVIDER_KINDS.join(", ")}` }) }) })
  .passthrough()
  .transform((config, ctx) => {
    const { kind, ...settings } = config;
    const parsed = metricProviders[kind].settingsSchema.safeParse(settings);
    if (!parsed.success) {
      parsed.error.issues.forEach((issue) => ctx.addIssue(issue));
      return z.NEVER;
    }
    return { ...parsed.data, kind } as MetricProviderConfig;
  });

export function createMetricProvider(config: MetricProviderConfig, runtime: ProviderRuntime = {}): MetricProvider {
  return create(config, runtime);
}

function create<K extends MetricProviderKind>(config: { readonly kind: K } & SettingsOf<K>, runtime: ProviderRuntime): MetricProvider {
  const entry: MetricProviderModule<SettingsOf<K>> = metricProviders[config.kind];
  return entry.create(config, runtime);
}
