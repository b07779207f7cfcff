/**
 * The checks an analysis runs, built from the release's analysis settings:
 * each names its queries and turns one round of values into a phase with the
 * numbers behind it. Everything here is pure; `run.ts` does the measuring.
 */
import { BUILT_IN_METRICS, type AnalysisConfig, type CustomQuery } from "../schemas";
import type { Phase } from "./assess";
import { evaluateCondition, parseCondition, type Condition } from "./condition";
import type { BuiltInQueries, QueryScope, ReferenceTrack } from "./builtInQueries";
import { hasNoData, type Measurement } from "./provider";

/** One measurement's verdict and the numbers it was made on. */
export interface Evaluation {
  readonly phase: Phase;
  /** The value judged; null when there was none (no data, NaN, error). */
  readonly value: number | null;
  /** The bound the value was held to, when there was a numeric one. */
  readonly threshold: number | null;
  readonly detail: string;
}

export interface MetricCheck {
  readonly name: string;
  /** The provider's queries by role, e.g. `{ canary, stable }` or `{ result }`. */
  readonly queries: Readonly<Record<string, string>>;
  /** The verdict for one round of values (no value errored). */
  evaluate(values: Readonly<Record<string, number | null>>): Evaluation;
}

/** The minimum-traffic gate: a round with fewer canary requests is inconclusive. */
export interface TrafficGate {
  readonly query: string;
  readonly minRequests: number;
}

type ErrorRateRule = AnalysisConfig["errorRate"];
type LatencyRule = AnalysisConfig["latency"];

/**
 * The checks for a release's analysis settings, in a stable order: built-ins
 * (in the provider's query language), then custom queries (already in it).
 */
export function buildChecks(config: AnalysisConfig, language: BuiltInQueries): MetricCheck[] {
  const scope = scopeOf(config);
  const checks: MetricCheck[] = [];
  if (config.errorRate.enabled) checks.push(errorRateCheck(language, scope, config.errorRate, config.compareTo));
  if (config.latency.enabled) checks.push(latencyCheck(language, scope, config.latency, config.compareTo));
  for (const query of config.queries) checks.push(customCheck(query));
  return checks;
}

export function buildTrafficGate(config: AnalysisConfig, language: BuiltInQueries): TrafficGate | undefined {
  if (config.minRequests <= 0) return undefined;
  return { query: language.requestCount("canary", scopeOf(config)), minRequests: config.minRequests };
}

function scopeOf(config: AnalysisConfig): QueryScope {
  return { selector: config.selector, windowSeconds: config.windowSeconds };
}

// The queries are keyed by track, so the record's queries and numbers name the track the canary was compared to.
function errorRateCheck(language: BuiltInQueries, scope: QueryScope, rule: ErrorRateRule, reference: ReferenceTrack): MetricCheck {
  return {
    name: BUILT_IN_METRICS.errorRate,
    queries: { canary: language.errorRatio("canary", scope), [reference]: language.errorRatio(reference, scope) },
    evaluate: (values) => evaluateErrorRate(values.canary ?? null, values[reference] ?? null, rule, reference),
  };
}

function latencyCheck(language: BuiltInQueries, scope: QueryScope, rule: LatencyRule, reference: ReferenceTrack): MetricCheck {
  return {
    name: BUILT_IN_METRICS.latency,
    queries: {
      canary: language.latencyQuantile("canary", rule.quantile, scope),
      [reference]: language.latencyQuantile(reference, rule.quantile, scope),
    },
    evaluate: (values) => evaluateLatency(values.canary ?? null, values[reference] ?? null, rule, reference),
  };
}

function customCheck(query: CustomQuery): MetricCheck {
  const conditions: CustomConditions = {
    success: query.successCondition === undefined ? undefined : { source: query.successCondition, parsed: parseCondition(query.successCondition) },
    failure: query.failureCondition === undefined ? undefined : { source: query.failureCondition, parsed: parseCondition(query.failureCondition) },
  };
  return {
    name: query.name,
    queries: { result: query.query },
    evaluate: (values) => evaluateCustom(values.result ?? null, conditions),
  };
}

/**
 * Canary 5xx ratio against `min(maxRatio, max(maxRatioVsStable × reference, minRatioForRelative))`, the reference
 * being stable's ratio or the baseline's. Without canary data the measurement is inconclusive; without reference
 * data (e.g. stable at 100% canary) only the absolute bound applies.
 */
export function evaluateErrorRate(canary: number | null, reference: number | null, rule: ErrorRateRule, track: ReferenceTrack = "stable"): Evaluation {
  if (canary === null || hasNoData(canary)) {
    return { phase: "inconclusive", value: null, threshold: null, detail: `no canary 5xx ratio (${describeMissing(canary)}): no canary traffic in the window` };
  }
  const relative = reference === null || hasNoData(reference) ? undefined : Math.max(rule.maxRatioVsStable * reference, rule.minRatioForRelative);
  const bound = relative === undefined ? rule.maxRatio : Math.min(rule.maxRatio, relative);
  const basis =
    relative === undefined
      ? `absolute bound ${percent(rule.maxRatio)}; ${track} ratio unavailable (${describeMissing(reference)}), relative bound skipped`
      : `min(absolute ${percent(rule.maxRatio)}, max(${rule.maxRatioVsStable}× ${track} ${percent(reference ?? 0)}, floor ${percent(rule.minRatioForRelative)}))`;
  const passed = canary <= bound;
  return {
    phase: passed ? "successful" : "failed",
    value: canary,
    threshold: bound,
    detail: `canary 5xx ratio ${percent(canary)} ${passed ? "<=" : ">"} ${percent(bound)} = ${basis}`,
  };
}

/**
 * Canary latency quantile against `min(maxSeconds, max(maxRatioVsStable × reference, minSecondsForRelative))`, the
 * reference being stable's or the baseline's; bounds without data are skipped, and with no bound left it passes.
 */
export function evaluateLatency(canary: number | null, reference: number | null, rule: LatencyRule, track: ReferenceTrack = "stable"): Evaluation {
  const label = `canary p${trimNumber(rule.quantile * 100)}`;
  if (canary === null || hasNoData(canary)) {
    return { phase: "inconclusive", value: null, threshold: null, detail: `no ${label} latency (${describeMissing(canary)}): no canary traffic in the window` };
  }
  const parts: string[] = [];
  let bound = Number.POSITIVE_INFINITY;
  if (rule.maxSeconds !== undefined) {
    bound = rule.maxSeconds;
    parts.push(`absolute ${seconds(rule.maxSeconds)}`);
  }
  if (reference === null || hasNoData(reference)) {
    parts.push(`${track} unavailable (${describeMissing(reference)}), relative bound skipped`);
  } else {
    const relative = Math.max(rule.maxRatioVsStable * reference, rule.minSecondsForRelative);
    bound = Math.min(bound, relative);
    parts.push(`max(${rule.maxRatioVsStable}× ${track} ${seconds(reference)}, floor ${seconds(rule.minSecondsForRelative)})`);
  }
  if (bound === Number.POSITIVE_INFINITY) {
    return { phase: "successful", value: finiteOrNull(canary), threshold: null, detail: `${label} ${seconds(canary)}; no bound applies (${parts.join("; ")})` };
  }
  const passed = canary <= bound;
  return {
    phase: passed ? "successful" : "failed",
    value: finiteOrNull(canary),
    threshold: bound,
    detail: `${label} ${seconds(canary)} ${passed ? "<=" : ">"} ${seconds(bound)} = ${parts.length > 1 ? `min(${parts.join(", ")})` : parts[0]}`,
  };
}

export interface CustomConditions {
  readonly success?: { readonly source: string; readonly parsed: Condition };
  readonly failure?: { readonly source: string; readonly parsed: Condition };
}

/**
 * Argo's rules: with only a success condition, not meeting it fails; with
 * only a failure condition, not meeting it succeeds; with both, the failure
 * condition wins and meeting neither is inconclusive. No data is inconclusive.
 */
export function evaluateCustom(value: number | null, conditions: CustomConditions): Evaluation {
  const rule = [conditions.success && `success: ${conditions.success.source}`, conditions.failure && `failure: ${conditions.failure.source}`]
    .filter(Boolean)
    .join("; ");
  if (value === null || hasNoData(value)) {
    return { phase: "inconclusive", value: null, threshold: null, detail: `query returned ${describeMissing(value)} (${rule})` };
  }
  let success = conditions.success ? evaluateCondition(conditions.success.parsed, value) : undefined;
  let failure = conditions.failure ? evaluateCondition(conditions.failure.parsed, value) : undefined;
  if (success === undefined) success = failure === undefined ? true : !failure;
  if (failure === undefined) failure = !success;
  const phase: Phase = failure ? "failed" : success ? "successful" : "inconclusive";
  return { phase, value: finiteOrNull(value), threshold: null, detail: `result ${trimNumber(value)} is ${phase} (${rule})` };
}

/** The traffic gate's verdict: fewer canary requests than the minimum is inconclusive. No series counts as zero. */
export function evaluateTraffic(requests: number | null, minRequests: number): Evaluation {
  const count = requests === null || hasNoData(requests) ? 0 : requests;
  const enough = count >= minRequests;
  return {
    phase: enough ? "successful" : "inconclusive",
    value: count,
    threshold: minRequests,
    detail: `${Math.round(count)} canary requests in the window ${enough ? ">=" : "<"} minimum ${minRequests}`,
  };
}

/**
 * One round's verdict for a check: an errored query makes the measurement an
 * `error`; otherwise the check decides.
 */
export function evaluateRound(check: MetricCheck, measurements: Readonly<Record<string, Measurement>>): Evaluation {
  const failures = Object.entries(measurements).filter(([, m]) => m.error !== undefined);
  if (failures.length > 0) {
    return { phase: "error", value: null, threshold: null, detail: failures.map(([role, m]) => `${role} query failed: ${m.error}`).join("; ") };
  }
  const values = Object.fromEntries(Object.entries(measurements).map(([role, m]) => [role, m.value]));
  return check.evaluate(values);
}

/**
 * With too little canary traffic a verdict means nothing either way: a
 * successful or failed measurement becomes inconclusive. Errors stay errors.
 */
export function applyTrafficGate(evaluation: Evaluation, gate: Evaluation | undefined): Evaluation {
  if (gate?.phase !== "inconclusive") return evaluation;
  if (evaluation.phase !== "successful" && evaluation.phase !== "failed") return evaluation;
  return { ...evaluation, phase: "inconclusive", detail: `not judged, too little traffic (${gate.detail}): ${evaluation.detail}` };
}

/** A JSON-safe value: NaN and ±Infinity become null (the detail keeps the raw number). */
export function finiteOrNull(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}

function describeMissing(value: number | null): string {
  if (value === null) return "empty result";
  return trimNumber(value);
}

function trimNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return String(Number(value.toPrecision(6)));
}

function percent(ratio: number): string {
  return `${trimNumber(ratio * 100)}%`;
}

function seconds(value: number): string {
  return `${trimNumber(value)}s`;
}
