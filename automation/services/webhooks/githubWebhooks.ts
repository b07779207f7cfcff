/** GitHub webhook deliveries: signature check and pull request events → preview operations. */
import { createHmac, timingSafeEqual } from "node:crypto";
import { PreviewLimitError, StaleHeadError, ValidationError } from "../../errors";
import { parseImageReference } from "../../../components/image";
import type { AcceptedOperation, PreviewService } from "../previews/previewService";
import { renderImageTemplate } from "./imageTemplate";
import { decidePreview, defaultPreviewTriggerPolicy, type PreviewTriggerPolicy, type PullRequestFacts } from "./previewTrigger";

/**
 * Checks `X-Hub-Signature-256` (`sha256=<hex HMAC-SHA256 of the raw body>`)
 * in constant time. A malformed header is simply not valid.
 */
export function isValidSignature(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header ?? "");
  if (!match?.[1]) return false;
  const expected = createHmac("sha256", secret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(match[1], "hex"));
}

export interface PullRequestEvent extends PullRequestFacts {
  readonly headSha: string;
  readonly headRef: string;
  /** `sender.login`. */
  readonly actor: string;
  /** `pull_request.updated_at`. */
  readonly updatedAt?: string;
}

export type WebhookOutcome =
  | { readonly kind: "accepted"; readonly action: string; readonly accepted: AcceptedOperation }
  | { readonly kind: "ignored"; readonly reason: string };

export interface GitHubWebhookServiceDeps {
  readonly previews: PreviewService;
  /** Image for a PR's head commit, with `{pr}`, `{sha}` and `{shortSha}` placeholders. */
  readonly imageTemplate: string;
  /** Which PRs get previews; every PR of any repository, forks once labelled, by default. */
  readonly policy?: PreviewTriggerPolicy;
}

export class GitHubWebhookService {
  constructor(private readonly deps: GitHubWebhookServiceDeps) {}

  async pullRequest(event: PullRequestEvent): Promise<WebhookOutcome> {
    const actor = `github:${event.actor}`;
    const decision = decidePreview(event, this.deps.policy ?? defaultPreviewTriggerPolicy);
    if (decision.kind === "ignore") return { kind: "ignored", reason: decision.reason };
    if (decision.kind === "deploy") {
      const image = renderImageTemplate(this.deps.imageTemplate, { pr: event.pr, sha: event.headSha });
      if (!parseImageReference(image)) {
        throw new ValidationError("the image template produced an invalid image reference", [
          { path: "body.pull_request", message: `image ${image} is not a valid OCI reference` },
        ]);
      }
      try {
        const accepted = await this.deps.previews.upsert({
          pr: event.pr,
          image,
          branch: event.headRef,
          commitSha: event.headSha,
          actor,
          cause: "webhook",
          repository: event.repository,
          ...(event.updatedAt === undefined ? {} : { headUpdatedAt: event.updatedAt }),
        });
        return { kind: "accepted", action: event.action, accepted };
      } catch (error) {
        // GitHub cannot act on a refusal: the delivery succeeded, and the PR comment says why nothing was deployed.
        if (error instanceof PreviewLimitError || error instanceof StaleHeadError) return { kind: "ignored", reason: error.message };
        throw error;
      }
    }
    const accepted = await this.deps.previews.destroyIfPresent(event.pr, actor, "webhook");
    return accepted
      ? { kind: "accepted", action: event.action, accepted }
      : { kind: "ignored", reason: `PR ${event.pr} has no preview environment` };
  }
}
