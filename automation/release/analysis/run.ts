/**
 * Runs one step's analysis: rounds of measurements, `intervalSeconds` apart,
 * until every check is decided (Argo's AnalysisRun loop). The provider and
 * the clock are injected; every decision is made by the pure functions in
 * `assess.ts` and `checks.ts`.
 */
import type { Clock } from "../../deps";
import { BUILT_IN_METRICS, type AnalysisRecord } from "../schemas";
import type { MeasurementPlan } from "../steps";
import { assessAnalysis, assessMetric, type Assessment, type Phase } from "./assess";
import { applyTrafficGate, evaluateRound, evaluateTraffic, type Evaluation, type MetricCheck, type TrafficGate } from "./checks";
import type { Measurement, MetricProvider } from "./provider";

export interface AnalysisRunInput {
  readonly provider: MetricProvider;
  readonly checks: readonly MetricCheck[];
  readonly gate?: TrafficGate;
  readonly plan: MeasurementPlan;
  readonly windowSeconds: number;
  /** Index of the step analysed, for the records. */
  readonly step: number;
  readonly clock: Clock;
  /** Aborting stops the analysis between or during rounds (the promise rejects). */
  readonly signal?: AbortSignal;
  /** Called with each record as it is made. */
  readonly onRecord?: (record: AnalysisRecord) => void;
}

export interface AnalysisResult {
  readonly phase: Phase;
  /** Each check's final phase. */
  readonly metrics: Readonly<Record<string, Assessment>>;
  /** Every measurement, traffic gate included, in order. */
  readonly records: readonly AnalysisRecord[];
  /** For a phase other than successful: the latest measurement of the check that decided it. */
  readonly decisive?: AnalysisRecord;
  readonly rounds: number;
}

export async function runAnalysis(input: AnalysisRunInput): Promise<AnalysisResult> {
  const { checks, plan, signal } = input;
  const history = new Map<string, Phase[]>(checks.map((check) => [check.name, []]));
  const assessments = new Map<string, Assessment>(checks.map((check) => [check.name, "running"]));
  const latest = new Map<string, AnalysisRecord>();
  const records: AnalysisRecord[] = [];
  let rounds = 0;

  for (;;) {
    const overall = assessAnalysis([...assessments.values()]);
    if (overall !== "running") {
      return { phase: overall, metrics: Object.fromEntries(assessments), records, decisive: decisive(overall, checks, assessments, latest), rounds };
    }
    if (rounds > 0) await input.clock.sleep(plan.intervalSeconds * 1000, signal);
    signal?.throwIfAborted();

    const pending = checks.filter((check) => assessments.get(check.name) === "running");
    const round = await measureRound(input, pending);
    signal?.throwIfAborted();
    rounds++;

    const at = input.clock.now().toISOString();
    const record = (metric: string, evaluation: Evaluation): AnalysisRecord => {
      const made: AnalysisRecord = { step: input.step, metric, at, ...evaluation };
      records.push(made);
      latest.set(metric, made);
      input.onRecord?.(made);
      return made;
    };
    if (round.gate) record(BUILT_IN_METRICS.requestCount, round.gate);
    for (const [check, evaluation] of round.evaluations) {
      record(check.name, evaluation);
      const phases = history.get(check.name) ?? [];
      phases.push(evaluation.phase);
      history.set(check.name, phases);
      assessments.set(check.name, assessMetric(phases, plan));
    }
  }
}

interface Round {
  readonly gate?: Evaluation;
  readonly evaluations: ReadonlyArray<readonly [MetricCheck, Evaluation]>;
}

async function measureRound(input: AnalysisRunInput, pending: readonly MetricCheck[]): Promise<Round> {
  const measure = (query: string): Promise<Measurement> => input.provider.measure(query, input.windowSeconds, input.signal);
  const measureCheck = async (check: MetricCheck): Promise<Record<string, Measurement>> => {
    const entries = await Promise.all(Object.entries(check.queries).map(async ([role, query]) => [role, await measure(query)] as const));
    return Object.fromEntries(entries);
  };
  const [gateMeasurement, measured] = await Promise.all([
    input.gate ? measure(input.gate.query) : undefined,
    Promise.all(pending.map(measureCheck)),
  ]);
  const gate = input.gate && gateMeasurement ? gateEvaluation(gateMeasurement, input.gate) : undefined;
  return {
    gate,
    evaluations: pending.map((check, index) => [check, applyTrafficGate(evaluateRound(check, measured[index] ?? {}), gate)] as const),
  };
}

function gateEvaluation(measurement: Measurement, gate: TrafficGate): Evaluation {
  if (measurement.error !== undefined) {
    return { phase: "error", value: null, threshold: gate.minRequests, detail: `request count query failed: ${measurement.error}; traffic not gated this round` };
  }
  return evaluateTraffic(measurement.value, gate.minRequests);
}

function decisive(
  phase: Phase,
  checks: readonly MetricCheck[],
  assessments: ReadonlyMap<string, Assessment>,
  latest: ReadonlyMap<string, AnalysisRecord>,
): AnalysisRecord | undefined {
  if (phase === "successful") return undefined;
  const check = checks.find((c) => assessments.get(c.name) === phase);
  return check ? latest.get(check.name) : undefined;
}
