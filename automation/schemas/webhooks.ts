/**
 * GitHub webhook payloads. These are GitHub's documents, with many more fields
 * than Rollgate reads, so unknown keys are stripped rather than rejected; the
 * fields that are read are validated as strictly as API input.
 */
import { z } from "zod";
import { BranchName, CommitSha, PrNumber } from "./common";

export const WebhookHeaders = z.object({
  // GitHub's event names have digits too (`projects_v2_item`).
  "x-github-event": z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, "must name a GitHub event"),
  "x-github-delivery": z.string().regex(/^[A-Za-z0-9-]{1,100}$/, "must be a GitHub delivery id").optional(),
  "x-hub-signature-256": z.string().max(200).optional(),
});

const RepositoryFullName = z.string().regex(/^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/, "must be owner/name");
const LabelName = z.string().min(1).max(100);

export const PullRequestPayload = z.object({
  action: z.string().regex(/^[a-z_]{1,64}$/),
  number: PrNumber,
  pull_request: z.object({
    // `repo` is null when the head repository (a fork) was deleted.
    head: z.object({ sha: CommitSha, ref: BranchName, repo: z.object({ full_name: RepositoryFullName }).nullable() }),
    base: z.object({ repo: z.object({ full_name: RepositoryFullName }) }),
    labels: z.array(z.object({ name: LabelName })).max(100),
    /** Orders deliveries: GitHub may deliver an older `synchronize` after a newer one. */
    updated_at: z.string().datetime({ offset: true }).optional(),
  }),
  /** The label added or removed (`labeled`, `unlabeled`). */
  label: z.object({ name: LabelName }).optional(),
  repository: z.object({
    full_name: RepositoryFullName,
  }),
  sender: z.object({
    login: z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/, "must be a GitHub login"),
  }),
});

/** Any JSON object; which event it is decides the schema applied next. */
export const WebhookBody = z.record(z.unknown()).describe("GitHub webhook payload (see X-GitHub-Event)");

export const WebhookResponse = z.union([
  z.object({ ok: z.literal(true), event: z.literal("ping") }).strict(),
  z.object({ duplicate: z.literal(true), event: z.string(), delivery: z.string() }).strict(),
  z.object({ ignored: z.literal(true), event: z.string(), reason: z.string() }).strict(),
  z
    .object({
      event: z.literal("pull_request"),
      action: z.string(),
      pr: PrNumber,
      stack: z.string(),
      status: z.string(),
      operation: z.object({ id: z.string(), kind: z.string(), status: z.string() }),
    })
    .strict(),
]);
