/**
 * Per-environment settings of risk classification: the points each signal
 * adds, the score thresholds of `medium` and `high`, the resource types whose
 * replacement or deletion forces `high`, freeze windows and the step plan of
 * each level. Every field has a documented default; the committed files are
 * `config/<environment>.json` beside this module.
 */
import { z } from "zod";
import { ReleaseValidationError } from "../errors";
import { fieldIssues } from "../schemas";
import { MAX_PAUSE_SECONDS, stepWeightProblems } from "../steps";


export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const points = z.number().min(0).max(1000);
const clockTime = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, "must be a time of day as HH:MM (00:00 to 23:59)");

const timeZone = z.string().superRefine((zone, ctx) => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
  } catch {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: "must be an IANA time zone, e.g. `Europe/Berlin`" });
  }
});

/** `from` inclusive to `to` exclusive, wall-clock time in `timeZone`; a window over midnight is two windows. */
export const freezeWindowSchema = z
  .object({
    name: z.string().min(1).max(100),
    days: z.array(z.enum(WEEKDAYS)).min(1),
    from: clockTime,
    to: clockTime,
    timeZone,
  })
  .strict()
  .superRefine((window, ctx) => {
    if (window.to <= window.from) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["to"], message: "must be later than `from` (split a window over midnight in two)" });
    }
  });

export type FreezeWindow = z.output<typeof freezeWindowSchema>;

export const riskPlanSchema = z
  .object({
    weights: z.array(z.number()).superRefine((weights, ctx) => {
      for (const problem of stepWeightProblems(weights)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [problem.index], message: problem.message });
    }),
    pauseSeconds: z.number().int().min(0).max(MAX_PAUSE_SECONDS),
    /** A second person must approve before the release starts (wired later; see the README). */
    approvalRequired: z.boolean(),
  })
  .strict();

export type RiskPlan = z.output<typeof riskPlanSchema>;

export const riskWeightsSchema = z
  .object({
    /** Per resource the preview would create, update, replace or delete. */
    resourceCreated: points.default(1),
    resourceUpdated: points.default(1),
    resourceReplaced: points.default(10),
    resourceDeleted: points.default(10),
    /** The candidate's tag is a new major version (semver-like tags only). */
    majorVersion: points.default(20),
    /** A production release of a digest staging never ran. */
    digestNotSeenInStaging: points.default(30),
    /** Multiplied by the 30-day change-failure rate (0..1): 40 at 100 %. */
    changeFailureRate: points.default(40),
    rollbackInLast24h: points.default(30),
    /** When the last success is older than `staleAfterDays`, or there never was one. */
    staleRecord: points.default(10),
    supplyChainWarn: points.default(15),
    /** Any failed test. */
    testsFailed: points.default(40),
    /** Per percentage point of coverage lost. */
    coverageDropPerPoint: points.default(2),
    /** Per started 100 files changed. */
    filesChangedPer100: points.default(5),
  })
  .strict();

export const riskConfigSchema = z
  .object({
    /** Freeze windows force `high` only here; staging keeps releasing. */
    production: z.boolean().default(false),
    /** Score at or above which a release is `medium`, and `high`. */
    thresholds: z
      .object({ medium: points.default(20), high: points.default(50) })
      .strict()
      .default({})
      .superRefine((thresholds, ctx) => {
        if (thresholds.high <= thresholds.medium) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["high"], message: "must be greater than `medium`" });
      }),
    weights: riskWeightsSchema.default({}),
    staleAfterDays: z.number().int().min(1).max(3650).default(30),
    /** Pulumi type tokens (`kubernetes:core/v1:Service`) whose replace or delete forces `high`. */
    criticalResourceTypes: z.array(z.string().min(1)).default(() => [...DEFAULT_CRITICAL_RESOURCE_TYPES]),
    freezeWindows: z.array(freezeWindowSchema).default([]),
    plans: z
      .object({
        low: riskPlanSchema.default({ weights: [25, 100], pauseSeconds: 120, approvalRequired: false }),
        medium: riskPlanSchema.default({ weights: [5, 25, 50, 100], pauseSeconds: 300, approvalRequired: false }),
        high: riskPlanSchema.default({ weights: [1, 5, 10, 25, 50, 100], pauseSeconds: 900, approvalRequired: true }),
      })
      .strict()
      .default({}),
    /** Graduated trust: this many successes in a row within 30 days, and no rollback in them, earn `medium` the `low` plan. */
    trustAfterConsecutiveSuccesses: z.number().int().min(1).max(1000).default(5),
    /** A release awaiting approval this long unapproved ends `aborted` (nothing deployed). */
    approvalTimeoutMinutes: z.number().int().min(1).max(10_080).default(240),
  })
  .strict();

export type RiskConfig = z.output<typeof riskConfigSchema>;
export type RiskConfigInput = z.input<typeof riskConfigSchema>;

/** Stateful and networking resources: a replace or delete of one can lose data or traffic. */
export const DEFAULT_CRITICAL_RESOURCE_TYPES: readonly string[] = [
  "kubernetes:core/v1:Service",
  "kubernetes:core/v1:PersistentVolumeClaim",
  "kubernetes:core/v1:PersistentVolume",
  "kubernetes:core/v1:Namespace",
  "kubernetes:apps/v1:StatefulSet",
  "kubernetes:networking.k8s.io/v1:Ingress",
  "kubernetes:gateway.networking.k8s.io/v1:Gateway",
  "cloudflare:index/record:Record",
  "cloudflare:index/dnsRecord:DnsRecord",
  "aws:route53/record:Record",
  "aws:lb/loadBalancer:LoadBalancer",
  "aws:alb/loadBalancer:LoadBalancer",
];

/** Parses an environment's risk config; throws `ReleaseValidationError` naming each bad field. */
export function parseRiskConfig(input: unknown): RiskConfig {
  const parsed = riskConfigSchema.safeParse(input);
  if (!parsed.success) throw new ReleaseValidationError(fieldIssues(parsed.error));
  return parsed.data;
}
