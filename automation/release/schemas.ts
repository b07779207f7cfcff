/**
 * zod schemas of the release controller: the start request (the HTTP layer
 * validates with it and hands the parsed value on), the analysis settings
 * with their defaults, the controller's own settings, and the stored release
 * record (parsed when read back from a store).
 */
import { z } from "zod";
import { PHASES } from "./analysis/assess";
import { ConditionSyntaxError, parseCondition } from "./analysis/condition";
import { LABEL_NAME, RESERVED_LABELS } from "./analysis/builtInQueries";
import { ReleaseValidationError, type FieldIssue } from "./errors";
import { DEFAULT_PAUSE_SECONDS, MAX_PAUSE_SECONDS, MAX_STEPS, type HeaderMatch, type PlannedStep, type StepTiming } from "./steps";
import { stepOrderProblems } from "./stepRouting";
import { headerNameProblem, headerValueProblem } from "../../components/trafficSplit/canaryRouting";
import { stackConfigKeys } from "../../infra/configKeys";
import { ImageReference } from "../schemas/imageReference";
import { RISK_LEVELS, RISK_SIGNAL_NAMES } from "./risk/reason";

/** Names of the built-in checks, as they appear in analysis records. */

/** The stack config keys a release sets unless its settings name others (the program's own). */
export const defaultReleaseConfigKeys = {
  stableImage: stackConfigKeys.stableImage,
  canaryImage: stackConfigKeys.canaryImage,
  canaryWeight: stackConfigKeys.canaryWeight,
  canaryMirrorPercent: stackConfigKeys.canaryMirrorPercent,
  canaryHeaderName: stackConfigKeys.canaryHeaderName,
  canaryHeaderValue: stackConfigKeys.canaryHeaderValue,
  canaryBaseline: stackConfigKeys.canaryBaseline,
  router: stackConfigKeys.router,
  releaseId: stackConfigKeys.releaseId,
  deployedBy: stackConfigKeys.deployedBy,
  stableVerifiedDigest: stackConfigKeys.stableVerifiedDigest,
  canaryVerifiedDigest: stackConfigKeys.canaryVerifiedDigest,
} as const;
export const BUILT_IN_METRICS = {
  requestCount: "request-count",
  errorRate: "error-rate",
  latency: "latency",
} as const;

const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function wholeNumber(min: number, max: number) {
  return z.number().int().min(min).max(max);
}

export const environmentNameSchema = z.string().regex(DNS_LABEL, "must be a lowercase DNS label (a-z, 0-9 and '-', at most 63 characters)");

/** An image a release records: history is read back as written, whatever the grammar says today. */
const recordedImageSchema = z.string().min(1);

export const commitShaSchema = z
  .string()
  .regex(/^[0-9a-fA-F]{40}$/, "must be a 40-character hexadecimal commit SHA")
  .transform((sha) => sha.toLowerCase());

const isoInstantSchema = z.string().datetime({ offset: true });

// ---------------------------------------------------------------- steps

export const stepAnalysisOverridesSchema = z
  .object({
    count: wholeNumber(1, 100).optional(),
    intervalSeconds: wholeNumber(1, 3600).optional(),
    failureLimit: wholeNumber(0, 100).optional(),
    inconclusiveLimit: wholeNumber(0, 100).optional(),
  })
  .strict();

/** A check from `canaryRouting.ts` (undefined or "must …") as a zod refinement. */
function satisfies<T>(problem: (value: T) => string | undefined) {
  return (value: T, ctx: z.RefinementCtx) => {
    const message = problem(value);
    if (message !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, message });
  };
}

export const headerMatchSchema = z
  .object({
    /** Header names are case-insensitive; stored lowercase, as Istio needs them. */
    name: z
      .string()
      .superRefine(satisfies(headerNameProblem))
      .transform((name) => name.toLowerCase())
      .describe("Header name: letters, digits and inner '-', at most 64 characters, not `host`; stored lowercase"),
    value: z.string().superRefine(satisfies(headerValueProblem)).describe("Exact value: 1 to 256 visible ASCII characters"),
  })
  .strict();

const stepForms = ["weight", "mirror", "header"] as const;

type StepFields = StepTiming & { weight?: number | undefined; mirror?: number | undefined; header?: HeaderMatch | undefined };

/** The one form a valid step has, with its timing. */
function plannedStep({ weight, mirror, header, ...timing }: StepFields): PlannedStep {
  if (weight !== undefined) return { weight, ...timing };
  if (mirror !== undefined) return { mirror, ...timing };
  if (header !== undefined) return { header, ...timing };
  throw new Error("a step without weight, mirror or header passed validation; this is a bug");
}

/** One of `weight`, `mirror` or `header`, with the pause and analysis overrides every step has. */
export const stepSchema = z
  .object({
    weight: wholeNumber(1, 100).optional().describe("Weight step: percent of live traffic for the canary"),
    mirror: wholeNumber(1, 100)
      .optional()
      .describe("Mirror step: percent of traffic copied to the canary, responses discarded; the live weight stays"),
    header: headerMatchSchema
      .optional()
      .describe("Header step: requests with this header go to the canary; the weight of the others stays"),
    pauseSeconds: wholeNumber(0, MAX_PAUSE_SECONDS).default(DEFAULT_PAUSE_SECONDS),
    analysis: stepAnalysisOverridesSchema.optional(),
  })
  .strict()
  .superRefine((step, ctx) => {
    const given = stepForms.filter((form) => step[form] !== undefined);
    const [first, second] = given;
    if (first === undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["weight"], message: "is required unless the step is a `mirror` or `header` step" });
    } else if (second !== undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: [second], message: `must not be given with \`${first}\`: a step is one of \`weight\`, \`mirror\` or \`header\`` });
    }
  })
  .transform(plannedStep);

export const stepsSchema = z
  .array(stepSchema)
  .min(1)
  .max(MAX_STEPS)
  .superRefine((steps, ctx) => {
    // Range and count problems are reported by the element and array checks above.
    for (const problem of stepOrderProblems(steps)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: [problem.index, problem.field], message: problem.message });
    }
  });

// ---------------------------------------------------------------- analysis

export const conditionSchema = z
  .string()
  .min(1)
  .max(500)
  .superRefine((source, ctx) => {
    try {
      parseCondition(source);
    } catch (error) {
      if (!(error instanceof ConditionSyntaxError)) throw error;
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must be a valid condition: ${error.message}` });
    }
  });

export const customQuerySchema = z
  .object({
    /** Name in analysis records and logs, e.g. `checkout-errors`. */
    name: z.string().regex(DNS_LABEL, "must be a lowercase name (a-z, 0-9 and '-', at most 63 characters)"),
    query: z
      .string()
      .min(1)
      .max(4000)
      .describe("In the metric provider's own query language, sent as written (PromQL for Prometheus, where `$window` becomes e.g. `5m`)"),
    /** e.g. `result < 0.05`; see `analysis/condition.ts`. */
    successCondition: conditionSchema.optional(),
    failureCondition: conditionSchema.optional(),
  })
  .strict()
  .superRefine((query, ctx) => {
    if (query.successCondition === undefined && query.failureCondition === undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["successCondition"], message: "is required unless `failureCondition` is given" });
    }
  });

const selectorSchema = z
  .record(z.string(), z.string().max(256))
  .describe("Label matchers every built-in query adds; the metric provider writes them in its own language")
  .superRefine((selector, ctx) => {
    const names = Object.keys(selector);
    if (names.length > 20) ctx.addIssue({ code: z.ZodIssueCode.custom, message: "must have at most 20 labels" });
    for (const name of names) {
      if (!LABEL_NAME.test(name)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: [name], message: "must be a valid label name (letters, digits and '_', not starting with a digit)" });
      } else if (RESERVED_LABELS.includes(name)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: [name], message: "is set by the controller's queries and must not be in the selector" });
      }
    }
  });

export const errorRateCheckSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** The canary's 5xx share of requests must stay at or below this (0.01 = 1%). */
    maxRatio: z.number().min(0).max(1).default(0.01),
    /** ... and at or below this multiple of the compared track's share (stable's or the baseline's) over the same window. */
    maxRatioVsStable: z.number().positive().default(2),
    /** Noise floor: the relative bound is never tighter than this ratio (2× a stable rate of ~0 is noise). */
    minRatioForRelative: z.number().min(0).max(1).default(0.001),
  })
  .strict();

export const latencyCheckSchema = z
  .object({
    enabled: z.boolean().default(true),
    quantile: z.number().gt(0).lt(1).default(0.99),
    /** The canary's quantile must stay at or below this multiple of the compared track's (stable's or the baseline's). */
    maxRatioVsStable: z.number().positive().default(3),
    /** Optional absolute bound in seconds. */
    maxSeconds: z.number().positive().optional(),
    /** Noise floor in seconds: the relative bound is never tighter than this. */
    minSecondsForRelative: z.number().min(0).default(0.01),
  })
  .strict();

export const inconclusivePolicySchema = z
  .object({
    action: z.enum(["extend", "pause", "fail"]).default("extend"),
    maxExtensions: wholeNumber(0, 20).default(2),
    whenExhausted: z.enum(["pause", "fail"]).default("pause"),
  })
  .strict();

export const analysisConfigSchema = z
  .object({
    /** Range of the rate/quantile windows, in seconds. */
    windowSeconds: wholeNumber(10, 86_400).default(300),
    /** Extra label matchers for every built-in query, e.g. `{ app: "web", namespace: "shop" }`. */
    selector: selectorSchema.default({}),
    /** Measurements per step (errors excluded), as Argo's `count`. */
    count: wholeNumber(1, 100).default(1),
    /** Time between measurements (and before retrying an errored one), as Argo's `interval`. */
    intervalSeconds: wholeNumber(1, 3600).default(60),
    failureLimit: wholeNumber(0, 100).default(0),
    inconclusiveLimit: wholeNumber(0, 100).default(0),
    consecutiveErrorLimit: wholeNumber(0, 100).default(4),
    /**
     * What the canary's error rate and latency are compared against: the stable fleet, or a baseline — stable's image
     * deployed beside the canary with its replica count and weight (Kayenta's method), so fleet size and warm caches
     * do not bias the verdict. A baseline needs a router with the `baseline` capability.
     */
    compareTo: z.enum(["stable", "baseline"]).default("stable"),
    /** Canary requests per window below which a measurement is inconclusive; 0 turns the gate off. */
    minRequests: wholeNumber(0, 1_000_000_000).default(50),
    errorRate: errorRateCheckSchema.default({}),
    latency: latencyCheckSchema.default({}),
    inconclusive: inconclusivePolicySchema.default({}),
    queries: z
      .array(customQuerySchema)
      .max(20)
      .default([])
      .superRefine((queries, ctx) => {
        const builtIn: readonly string[] = Object.values(BUILT_IN_METRICS);
        const seen = new Set<string>();
        queries.forEach((query, index) => {
          if (builtIn.includes(query.name)) {
            ctx.addIssue({ code: z.ZodIssueCode.custom, path: [index, "name"], message: `must not be a built-in check's name (${builtIn.join(", ")})` });
          } else if (seen.has(query.name)) {
            ctx.addIssue({ code: z.ZodIssueCode.custom, path: [index, "name"], message: "must be unique" });
          }
          seen.add(query.name);
        });
      }),
  })
  .strict();

export type AnalysisConfig = z.output<typeof analysisConfigSchema>;
export type AnalysisConfigInput = z.input<typeof analysisConfigSchema>;
export type Step = z.output<typeof stepSchema>;
export type CustomQuery = z.output<typeof customQuerySchema>;

// ---------------------------------------------------------------- risk signals

/** What CI knows about the change, for risk classification (`release/risk/`); each field optional. */
export const riskSignalsSchema = z
  .object({
    testsPassed: wholeNumber(0, 10_000_000).optional().describe("Tests that passed"),
    testsFailed: wholeNumber(0, 10_000_000).optional().describe("Tests that failed"),
    coverageDelta: z.number().min(-100).max(100).optional().describe("Change in line coverage, in percentage points (-100..100)"),
    filesChanged: wholeNumber(0, 10_000_000).optional().describe("Files the change touches"),
  })
  .strict()
  .describe("Signals from CI for risk classification");

export type CiRiskSignals = z.output<typeof riskSignalsSchema>;

// ---------------------------------------------------------------- start request

export const startReleaseRequestSchema = z
  .object({
    environment: environmentNameSchema,
    image: ImageReference,
    commitSha: commitShaSchema.optional(),
    /** When the commit was made (for DORA lead time); the webhook or the pipeline passes it. */
    commitTime: isoInstantSchema.optional(),
    /** The plan; when omitted, the release's risk level picks one (`release/risk/`), else the default 5 → 25 → 50 → 100. */
    steps: stepsSchema.optional(),
    analysis: analysisConfigSchema.default({}),
    riskSignals: riskSignalsSchema.optional(),
  })
  .strict();

export type StartReleaseRequest = z.output<typeof startReleaseRequestSchema>;
export type StartReleaseRequestInput = z.input<typeof startReleaseRequestSchema>;

/** Parses a start request; throws `ReleaseValidationError` with one issue per bad field. */
export function parseStartReleaseRequest(input: unknown): StartReleaseRequest {
  const parsed = startReleaseRequestSchema.safeParse(input);
  if (!parsed.success) throw new ReleaseValidationError(fieldIssues(parsed.error));
  return parsed.data;
}

// ---------------------------------------------------------------- controller settings

export const controllerSettingsSchema = z
  .object({
    /** Time a step may take to reach its weight (canary available, weight set and live) before the release rolls back. */
    progressDeadlineSeconds: wholeNumber(1, 86_400).default(600),
    /** Time between polls of the canary's replicas and the router's live weight. */
    pollIntervalSeconds: wholeNumber(1, 600).default(5),
    /** After a controller restart, `resume` re-runs the current step (weight, pause, analysis); `rollback` rolls back. */
    onRestart: z.enum(["resume", "rollback"]).default("resume"),
    /** Stack config keys the program reads. The canary is removed by setting its image to "". */
    configKeys: z
      .object({
        stableImage: z.string().min(1).default(defaultReleaseConfigKeys.stableImage),
        canaryImage: z.string().min(1).default(defaultReleaseConfigKeys.canaryImage),
        canaryWeight: z.string().min(1).default(defaultReleaseConfigKeys.canaryWeight),
        canaryMirrorPercent: z.string().min(1).default(defaultReleaseConfigKeys.canaryMirrorPercent),
        canaryHeaderName: z.string().min(1).default(defaultReleaseConfigKeys.canaryHeaderName),
        canaryHeaderValue: z.string().min(1).default(defaultReleaseConfigKeys.canaryHeaderValue),
        /** "true" while a release comparing against a baseline runs one beside its canary. */
        canaryBaseline: z.string().min(1).default(defaultReleaseConfigKeys.canaryBaseline),
        /** Read only: the router kind, whose capabilities mirror and header steps need. */
        router: z.string().min(1).default(defaultReleaseConfigKeys.router),
        releaseId: z.string().min(1).default(defaultReleaseConfigKeys.releaseId),
        deployedBy: z.string().min(1).default(defaultReleaseConfigKeys.deployedBy),
        /** The digest the supply-chain gate verified, set with the canary's image and, at promotion, with stable's. */
        stableVerifiedDigest: z.string().min(1).default(defaultReleaseConfigKeys.stableVerifiedDigest),
        canaryVerifiedDigest: z.string().min(1).default(defaultReleaseConfigKeys.canaryVerifiedDigest),
      })
      .strict()
      .default({}),
    /**
     * The controller's identity as a deployer. When set, every stack update
     * the controller makes also sets `configKeys.deployedBy` to it and
     * `configKeys.releaseId` to the release's id, so the Deployments carry the
     * release's provenance (the production policy requires both on stable
     * Deployments, with the deployer in its `allowedDeployers`). Unset:
     * nothing is stamped and the stack keeps whatever it had.
     */
    deployedBy: z.string().min(1).max(253).optional(),
  })
  .strict();

export type ControllerSettings = z.output<typeof controllerSettingsSchema>;
export type ControllerSettingsInput = z.input<typeof controllerSettingsSchema>;

// ---------------------------------------------------------------- release record

export const RELEASE_STATUSES = ["awaitingApproval", "progressing", "paused", "succeeded", "rolledBack", "failed", "aborted"] as const;
export type ReleaseStatus = (typeof RELEASE_STATUSES)[number];

export const analysisRecordSchema = z
  .object({
    /** Index of the step (0-based). */
    step: z.number().int().min(0),
    metric: z.string().min(1),
    /** The measured value; null for no data, NaN or an error. */
    value: z.number().nullable(),
    /** The bound the value was held to, when there was a numeric one. */
    threshold: z.number().nullable(),
    phase: z.enum(PHASES),
    at: isoInstantSchema,
    /** The numbers and rule behind the phase, for people. */
    detail: z.string(),
  })
  .strict();

export type AnalysisRecord = z.output<typeof analysisRecordSchema>;

export const INTENT_ACTIONS = ["pause", "promote", "abort", "rollback"] as const;
export type IntentAction = (typeof INTENT_ACTIONS)[number];

/** A decided action the controller has not finished yet; persisted so a restart completes it. */
export const intentSchema = z
  .object({
    action: z.enum(INTENT_ACTIONS),
    actor: z.string().min(1),
    reason: z.string(),
    at: isoInstantSchema,
  })
  .strict();

export type Intent = z.output<typeof intentSchema>;

/** The release's risk classification and the plan it chose (`release/risk/`). */
export const releaseRiskSchema = z
  .object({
    level: z.enum(RISK_LEVELS),
    score: z.number(),
    reasons: z.array(
      z
        .object({
          signal: z.enum(RISK_SIGNAL_NAMES),
          detail: z.string(),
          points: z.number(),
          forcesHigh: z.literal(true).optional(),
        })
        .strict(),
    ),
    plan: z
      .object({
        /** The level whose plan the steps follow (`low` for a trusted `medium`), or the request's own steps. */
        level: z.enum(RISK_LEVELS),
        why: z.string(),
        approvalRequired: z.boolean(),
        /** How long each approval waits before it expires (absent on records from before the promotion gate: 240). */
        approvalTimeoutMinutes: z.number().int().min(1).optional(),
        /** `request` when the start request gave the steps, so the risk plan was not used. */
        stepsFrom: z.enum(["risk", "request"]),
      })
      .strict(),
  })
  .strict();

export type ReleaseRisk = z.output<typeof releaseRiskSchema>;

/** A high-risk release's wait for a second person (`approve` / `reject`), before its first weight or before promotion. */
export const approvalSchema = z
  .object({
    /** Unapproved by then, the release ends `aborted` (before the first weight: nothing deployed; before promotion: rolled back). */
    expiresAt: isoInstantSchema,
    decision: z.enum(["approved", "rejected"]).optional(),
    decidedBy: z.string().min(1).optional(),
    decidedAt: isoInstantSchema.optional(),
  })
  .strict();

export type Approval = z.output<typeof approvalSchema>;

/** What the supply-chain gate verified about the image before the release started (`supplyChain/verdict.ts`). */
export const supplyChainRecordSchema = z
  .object({
    digest: z.string(),
    signer: z.string().optional(),
    sbomDigest: z.string().optional(),
    builder: z.string().optional(),
    /** The trust policy let an unsigned image through (previews only). */
    unsignedAllowed: z.literal(true).optional(),
  })
  .strict();

export type SupplyChainRecord = z.output<typeof supplyChainRecordSchema>;

export const releaseIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, "must be 1-128 letters, digits, '.', '_' or '-'");

export const releaseSchema = z
  .object({
    id: releaseIdSchema,
    environment: environmentNameSchema,
    image: recordedImageSchema,
    /** The stable image when the release started; a failed release leaves it serving. */
    previousImage: recordedImageSchema,
    commitSha: commitShaSchema.optional(),
    commitTime: isoInstantSchema.optional(),
    status: z.enum(RELEASE_STATUSES),
    /** Index of the current step; equals `steps.length` once every step has passed. */
    step: z.number().int().min(0),
    /** Canary weight last set in stack config. */
    weight: wholeNumber(0, 100),
    steps: stepsSchema,
    analysisConfig: analysisConfigSchema,
    analysis: z.array(analysisRecordSchema),
    /** Extra analyses used at the current step (inconclusive policy `extend`). */
    extensions: z.number().int().min(0),
    intent: intentSchema.nullable(),
    startedAt: isoInstantSchema,
    updatedAt: isoInstantSchema,
    finishedAt: isoInstantSchema.nullable(),
    reason: z.string().nullable(),
    actor: z.string().min(1),
    /** Absent on releases started before classification, or by a controller without it. */
    risk: releaseRiskSchema.optional(),
    /** Present when the release needed a second person's approval before its first weight. */
    approval: approvalSchema.optional(),
    /** Present once every step of such a release has passed: the second approval, before promotion. */
    promotionApproval: approvalSchema.optional(),
    /** The supply-chain verdict on the image; absent when the environment has no trust policy. */
    supplyChain: supplyChainRecordSchema.optional(),
  })
  .strict();

export type Release = z.output<typeof releaseSchema>;

// ---------------------------------------------------------------- field-named errors

/** `["steps", 1, "weight"]` → `steps[1].weight`. */
export function fieldPath(path: readonly (string | number)[]): string {
  let field = "";
  for (const part of path) {
    if (typeof part === "number") field += `[${part}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(part)) field += field === "" ? part : `.${part}`;
    else field += `[${JSON.stringify(part)}]`;
  }
  return field === "" ? "(body)" : field;
}

/** zod issues as field-named messages ("`steps[1].weight` must be at most 100"). */
export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap((issue): FieldIssue[] => {
    if (issue.code === z.ZodIssueCode.unrecognized_keys) {
      return issue.keys.map((key) => ({ field: fieldPath([...issue.path, key]), message: "is not a known field" }));
    }
    return [{ field: fieldPath(issue.path), message: describeIssue(issue) }];
  });
}

function describeIssue(issue: z.ZodIssue): string {
  switch (issue.code) {
    case z.ZodIssueCode.invalid_type:
      if (issue.received === "undefined") return "is required";
      if (issue.expected === "integer") return "must be a whole number";
      return `must be ${article(issue.expected)}, got ${issue.received}`;
    case z.ZodIssueCode.too_small:
      return bound(issue.type, issue.inclusive, Number(issue.minimum), "at least", "greater than");
    case z.ZodIssueCode.too_big:
      return bound(issue.type, issue.inclusive, Number(issue.maximum), "at most", "less than");
    case z.ZodIssueCode.invalid_enum_value:
      return `must be one of ${issue.options.map((option) => JSON.stringify(option)).join(", ")}`;
    case z.ZodIssueCode.invalid_string:
      return issue.validation === "datetime" ? "must be an ISO-8601 instant" : issue.message;
    case z.ZodIssueCode.not_multiple_of:
      return `must be a multiple of ${issue.multipleOf}`;
    default:
      return issue.message;
  }
}

function bound(type: string, inclusive: boolean, limit: number, inclusiveWord: string, exclusiveWord: string): string {
  const relation = inclusive ? inclusiveWord : exclusiveWord;
  switch (type) {
    case "string":
      return limit === 1 && relation === "at least" ? "must not be empty" : `must be ${relation} ${limit} characters long`;
    case "array":
      return `must have ${relation} ${limit} item${limit === 1 ? "" : "s"}`;
    default:
      return `must be ${relation} ${limit}`;
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
