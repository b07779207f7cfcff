/** HTTP shape of GitHub webhooks: `POST /api/v1/webhooks/github`. */
import { ServiceUnavailableError, ValidationError } from "../errors";
import { PullRequestPayload, WebhookBody, WebhookHeaders, WebhookResponse } from "../schemas/webhooks";
import type { DeliveryLog } from "../services/webhooks/deliveries";
import type { GitHubWebhookService } from "../services/webhooks/githubWebhooks";
import { problemResponse } from "./problems";
import { defineRoute, fieldErrors, type AnyRoute } from "./route";

/** `webhooks` is absent when no webhook secret and image template are configured. */
export function webhookRoutes(webhooks: GitHubWebhookService | undefined, deliveries: DeliveryLog): AnyRoute[] {
  return [
    defineRoute({
      method: "post",
      path: "/api/v1/webhooks/github",
      operationId: "receiveGitHubWebhook",
      summary:
        "GitHub webhook: pull_request opened/reopened/synchronize create or update the preview, closed destroys it; ping answers 200",
      tags: ["webhooks"],
      access: { kind: "webhook" },
      request: { headers: WebhookHeaders, body: WebhookBody },
      responses: {
        200: { description: "ping acknowledged, or a delivery already handled (a replay: nothing changes)", schema: WebhookResponse },
        202: { description: "Operation started, or the event was ignored", schema: WebhookResponse },
        400: problemResponse("Malformed payload or headers"),
        401: problemResponse("Missing or invalid X-Hub-Signature-256"),
        413: problemResponse("Body too large"),
        503: problemResponse("Webhooks are not configured"),
      },
      async handle({ headers, body }, res) {
        if (!webhooks) throw new ServiceUnavailableError("GitHub webhooks are not configured on this server");
        const event = headers["x-github-event"];
        if (event === "ping") {
          res.status(200).json({ ok: true, event: "ping" });
          return;
        }
        if (event !== "pull_request") {
          res.status(202).json({ ignored: true, event, reason: `event "${event}" is not handled` });
          return;
        }
        const payload = PullRequestPayload.safeParse(body);
        if (!payload.success) throw new ValidationError("the pull_request payload is invalid", fieldErrors("body", payload.error));
        const { data } = payload;
        const delivery = headers["x-github-delivery"];
        if (delivery !== undefined && !(await deliveries.remember(delivery, event))) {
          res.status(200).json({ duplicate: true, event, delivery });
          return;
        }
        const outcome = await webhooks
          .pullRequest({
            action: data.action,
            pr: data.number,
            headSha: data.pull_request.head.sha,
            headRef: data.pull_request.head.ref,
            repository: data.repository.full_name,
            fromFork: data.pull_request.head.repo?.full_name !== data.pull_request.base.repo.full_name,
            labels: data.pull_request.labels.map((label) => label.name),
            ...(data.label ? { changedLabel: data.label.name } : {}),
            actor: data.sender.login,
            ...(data.pull_request.updated_at === undefined ? {} : { updatedAt: data.pull_request.updated_at }),
          })
          .catch(async (error: unknown) => {
            // Not handled after all: GitHub's redelivery must be.
            if (delivery !== undefined) await deliveries.forget(delivery).catch(() => undefined);
            throw error;
          });
        if (outcome.kind === "ignored") {
          res.status(202).json({ ignored: true, event, reason: outcome.reason });
          return;
        }
        const { accepted } = outcome;
        res.status(202).json({
          event: "pull_request",
          action: outcome.action,
          pr: accepted.pr,
          stack: accepted.stack,
          status: accepted.status,
          operation: { id: accepted.operation.id, kind: accepted.operation.kind, status: accepted.operation.status },
        });
      },
    }),
  ];
}
