/**
 * HTTP shapes of canary releases. The start body is the release
 * controller's own request schema (`release/schemas.ts`) with a reserved
 * environment name; responses are views of the
 * release record (`services/releases/views.ts`).
 */
import { z } from "zod";
import type { Capability } from "../../components/trafficSplit/capabilities";
import { routerDefinitions, routerKinds } from "../../components/trafficSplit/routers/registry";
import {
  analysisConfigSchema,
  analysisRecordSchema,
  approvalSchema,
  supplyChainRecordSchema,
  environmentNameSchema,
  intentSchema,
  RELEASE_STATUSES,
  releaseIdSchema,
  releaseRiskSchema,
  startReleaseRequestSchema,
  stepSchema,
} from "../release/schemas";
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from "../services/pagination";
import { releaseCursorPattern } from "../services/releases/releaseService";
import type { ReleaseSummary, ReleaseView, StartedRelease } from "../services/releases/views";
import { pageLimit, Timestamp } from "./common";
import { ImageReference } from "./imageReference";
import { RISK_LEVELS } from "../release/risk/reason";
import { RELEASE_COMMANDS } from "../release/stateMachine";

function routersWith(capability: Capability): string {
  return routerKinds.filter((kind) => routerDefinitions[kind].capabilities[capability]).join(", ");
}

/** `releases:read` is the read scope, so no environment may be called `read`. */
export const EnvironmentName = environmentNameSchema
  .refine((name) => name !== "read", "is reserved (`releases:read` is the read scope)")
  .describe("Environment: the name of its release stack, e.g. `staging`, `production`");

export const ReleaseId = releaseIdSchema.describe("Release id");

export const ReleaseStatusSchema = z.enum(RELEASE_STATUSES);

export const StartReleaseBody = startReleaseRequestSchema
  .extend({
    environment: EnvironmentName,
    image: ImageReference.describe("Image the canary runs, and stable after promotion"),
  })
  .describe(
    "Without `steps`, the release's risk level picks the plan from the environment's risk config (defaults: low 25, 100 % " +
      "with 120 s pauses; medium 5, 25, 50, 100 % with 300 s; high 1, 5, 10, 25, 50, 100 % with 900 s). `riskSignals` from CI " +
      "add to the classification. A step is one of `{ weight }` (percent of live traffic to the canary), " +
      "`{ mirror }` (percent of traffic copied to the canary, responses discarded; live weight unchanged; needs a router with " +
      `mirroring: ${routersWith("mirroring")}; only before the first weight step) or \`{ header: { name, value } }\` (requests ` +
      "with that header go to the canary; weight of the others unchanged; needs a router with header routing: " +
      `${routersWith("headerRouting")}; only before the weight reaches 100). Each step sets the whole routing: a weight step ` +
      "ends mirroring and header routing. " +
      "`analysis` settings default as documented in the release controller",
  );

export type StartReleaseBody = z.output<typeof StartReleaseBody>;

export const ReleaseParams = z.object({ id: ReleaseId }).strict();

export const ListReleasesQuery = z
  .object({
    environment: EnvironmentName.optional(),
    status: ReleaseStatusSchema.optional().describe("Only releases with this status"),
    limit: pageLimit(MAX_PAGE_LIMIT, DEFAULT_PAGE_LIMIT).optional(),
    cursor: z
      .string()
      .max(300)
      .regex(releaseCursorPattern, "must be the `nextCursor` of the previous page")
      .optional()
      .describe("`nextCursor` of the previous page"),
  })
  .strict();

/** Optional body of promote, abort, pause and resume. */
export const ReleaseCommandBody = z
  .object({ reason: z.string().min(1).max(500).optional().describe("Recorded with the command, e.g. a ticket") })
  .strict()
  .optional();


export const StartedReleaseSchema = z
  .object({
    id: ReleaseId,
    environment: z.string(),
    status: ReleaseStatusSchema,
    step: z.number().int().min(0).describe("Index (0-based) of the current step"),
    weight: z.number().int().min(0).max(100).describe("Canary weight last set, in percent"),
  })
  .strict() satisfies z.ZodType<StartedRelease>;

export const ReleaseSummarySchema = z
  .object({
    id: ReleaseId,
    environment: z.string(),
    image: z.string(),
    previousImage: z.string().describe("Stable image when the release started; it keeps serving unless the release succeeds"),
    commitSha: z.string().nullable(),
    status: ReleaseStatusSchema,
    step: z.number().int().min(0).describe("Index (0-based) of the current step; equals stepCount once every step has passed"),
    stepCount: z.number().int().min(1),
    weight: z.number().int().min(0).max(100).describe("Canary weight last set, in percent"),
    startedAt: Timestamp,
    finishedAt: Timestamp.nullable(),
    reason: z.string().nullable().describe("Why it paused or finished as it did"),
    actor: z.string().describe("Name of the token that started it"),
    riskLevel: z.enum(RISK_LEVELS).nullable().describe("Risk level from its classification; null when not classified"),
  })
  .strict() satisfies z.ZodType<ReleaseSummary>;

export const ReleaseSchema = ReleaseSummarySchema.extend({
  steps: z.array(stepSchema),
  analysisConfig: analysisConfigSchema,
  analysis: z.array(analysisRecordSchema).describe("Measurements, oldest first (`step` is 0-based)"),
  pending: intentSchema.nullable().describe("A decided action not finished yet"),
  updatedAt: Timestamp,
  risk: releaseRiskSchema.nullable().describe("Risk level, score, every contributing reason with its points, and the plan it chose"),
  approval: approvalSchema.nullable().describe("A high-risk release's approval before its first weight: when it expires, and who approved or rejected it; null when none was needed"),
  promotionApproval: approvalSchema
    .nullable()
    .describe("A high-risk release's second approval, asked once every step has passed: promotion waits for it; null until then or when none is needed"),
  supplyChain: supplyChainRecordSchema
    .nullable()
    .describe("What the supply-chain gate verified before the release started: digest, signer, SBOM digest, builder; null when the environment has no trust policy"),
  actions: z
    .array(z.enum(RELEASE_COMMANDS))
    .describe("The commands the caller's token may send now: it holds the scope, and the release's state allows them from this caller"),
}).strict() satisfies z.ZodType<ReleaseView, z.ZodTypeDef, unknown>;

export const ReleasePageSchema = z
  .object({
    releases: z.array(ReleaseSummarySchema).describe("Newest first"),
    nextCursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last page"),
  })
  .strict();
