/** Pure builder of the Prometheus alerting rules for a canary release. */
import { matchers, metrics, namespaceSelector } from "./metrics";

export interface AlertOptions {
  readonly app: string;
  readonly namespace: string;
  /** Extra PromQL matchers (without braces) for every query. */
  readonly extraSelector?: string;
  /** Alert when the canary's 5xx ratio exceeds stable's by more than this (0–1). Default 0.01. */
  readonly errorRatioMargin?: number;
  /** Alert when a track's p99 latency exceeds this many seconds. Default 0.5. */
  readonly p99LatencySeconds?: number;
}

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly AlertRule[];
}

export const alertDefaults = { errorRatioMargin: 0.01, p99LatencySeconds: 0.5 } as const;

export const alertNames = {
  canaryErrorRatio: "RollgateCanaryErrorRatioAboveStable",
  p99Latency: "RollgateP99LatencyHigh",
} as const;

/** Alerting rules: canary 5xx ratio above stable's (plus a margin) and p99 latency above a bound. */
export function buildAlertRules(options: AlertOptions): RuleGroup[] {
  const margin = options.errorRatioMargin ?? alertDefaults.errorRatioMargin;
  const bound = options.p99LatencySeconds ?? alertDefaults.p99LatencySeconds;
  const scope = matchers(namespaceSelector(options.namespace), options.extraSelector ?? "");
  const rate = (extra: string) => `sum(rate(${metrics.requests}{${matchers(scope, extra)}}[5m]))`;
  const errorRatio = (track: string) =>
    `(${rate(`track="${track}",code=~"5.."`)} / ${rate(`track="${track}"`)})`;
  const labels = { severity: "critical", app: options.app, namespace: options.namespace };

  return [
    {
      name: `rollgate-${options.app}`,
      rules: [
        {
          alert: alertNames.canaryErrorRatio,
          // A stable track without errors has no 5xx series: count it as 0.
          expr: `${errorRatio("canary")} > ((${errorRatio("stable")} or vector(0)) + ${margin})`,
          for: "2m",
          labels,
          annotations: {
            summary: `Canary of ${options.app} returns more 5xx than stable`,
            description: `The canary's 5xx ratio is more than ${margin} above stable's for 2 minutes.`,
          },
        },
        {
          alert: alertNames.p99Latency,
          expr: `histogram_quantile(0.99, sum by (track, le) (rate(${metrics.durationBucket}{${scope}}[5m]))) > ${bound}`,
          for: "5m",
          labels: { ...labels, severity: "warning" },
          annotations: {
            summary: `p99 latency of ${options.app} ({{ $labels.track }}) is above ${bound}s`,
            description: `The {{ $labels.track }} track's p99 latency has been above ${bound}s for 5 minutes.`,
          },
        },
      ],
    },
  ];
}
