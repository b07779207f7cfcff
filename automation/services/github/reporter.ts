/**
 * Reports previews on GitHub: a commit status on the PR's head commit and one
 * PR comment (found by a hidden marker and edited, never duplicated).
 */
import type { Logger } from "../../deps";
import type { PreviewReport, PreviewReporter } from "../previews/reporter";
import { KeyedSerializer } from "../../support/keyedSerializer";
import type { CommitState, GitHubClient } from "./client";

export const commentMarker = "<!-- rollgate:preview -->";

export interface GitHubReporterOptions {
  readonly client: GitHubClient;
  readonly logger: Logger;
  /** Commit status context, e.g. `rollgate/preview`. */
  readonly statusContext: string;
}

const commitStates: Record<PreviewReport["state"], CommitState> = {
  pending: "pending",
  ready: "success",
  failed: "failure",
  destroyed: "success",
  refused: "error",
};

const descriptions: Record<PreviewReport["state"], string> = {
  pending: "Preview environment is being deployed",
  ready: "Preview environment is ready",
  failed: "Preview environment failed",
  destroyed: "Preview environment was destroyed",
  refused: "Preview environment not deployed: limit reached",
};

export class GitHubReporter implements PreviewReporter {
  /** Comment ids by `repository#pr`, so repeat reports edit without listing. */
  private readonly commentIds = new Map<string, number>();
  /** Reports per PR run in order, so two reports never both create a comment. */
  private readonly perPullRequest = new KeyedSerializer();
  private login: Promise<string | undefined> | undefined;

  constructor(private readonly options: GitHubReporterOptions) {}

  report(report: PreviewReport): Promise<void> {
    const { repository } = report;
    if (!repository) return Promise.resolve();
    const key = `${repository}#${report.pr}`;
    return this.perPullRequest.run(key, () => this.send(repository, key, report));
  }

  private async send(repository: string, key: string, report: PreviewReport): Promise<void> {
    const { client, logger } = this.options;
    const log = logger.child({ operationId: report.operationId, repository, pr: report.pr });
    if (report.commitSha && report.state !== "destroyed") {
      try {
        await client.createCommitStatus(repository, report.commitSha, {
          state: commitStates[report.state],
          context: this.options.statusContext,
          description: descriptions[report.state],
          ...(report.state === "ready" && report.url ? { targetUrl: report.url } : {}),
        });
      } catch (err) {
        log.warn({ err }, "setting the GitHub commit status failed");
      }
    }
    try {
      await this.upsertComment(repository, key, report);
    } catch (err) {
      log.warn({ err }, "updating the GitHub PR comment failed");
    }
  }

  /** The login Rollgate comments as, asked once; undefined (comments are then only created) when GitHub will not say. */
  private identity(): Promise<string | undefined> {
    this.login ??= this.options.client.authenticatedLogin().catch((err: unknown) => {
      this.options.logger.warn({ err }, "GitHub did not say which login Rollgate acts as; earlier preview comments will not be edited");
      this.login = undefined;
      return undefined;
    });
    return this.login;
  }

  private async upsertComment(repository: string, key: string, report: PreviewReport): Promise<void> {
    const { client } = this.options;
    const body = commentBody(report);
    let id = this.commentIds.get(key);
    if (id === undefined) {
      // Anyone can write the marker into a comment; only Rollgate's own comment is edited.
      const identity = await this.identity();
      const existing = identity
        ? (await client.listIssueComments(repository, report.pr)).find((comment) => comment.author === identity && comment.body.includes(commentMarker))
        : undefined;
      id = existing?.id;
    }
    const comment =
      id === undefined
        ? await client.createIssueComment(repository, report.pr, body)
        : await client.updateIssueComment(repository, id, body);
    this.commentIds.set(key, comment.id);
  }
}

const stateLabels: Record<PreviewReport["state"], string> = {
  pending: "⏳ deploying",
  ready: "✅ ready",
  failed: "❌ failed",
  destroyed: "🗑️ destroyed",
  refused: "⛔ not deployed",
};

export function commentBody(report: PreviewReport): string {
  const rows: [string, string][] = [["Status", stateLabels[report.state]]];
  if (report.url && report.state === "ready") rows.push(["URL", report.url]);
  if (report.image) rows.push(["Image", `\`${report.image}\``]);
  if (report.commitSha) rows.push(["Commit", `\`${report.commitSha.slice(0, 12)}\``]);
  if (report.operationId) rows.push(["Operation", `\`${report.operationId}\``]);
  const lines = [commentMarker, "### Rollgate preview environment", "", "| | |", "|---|---|"];
  for (const [label, value] of rows) lines.push(`| ${label} | ${value} |`);
  if ((report.state === "failed" || report.state === "refused") && report.error) {
    lines.push("", "<details><summary>Reason</summary>", "", "```", report.error.slice(0, 2000).replace(/```/g, "'''"), "```", "</details>");
  }
  return `${lines.join("\n")}\n`;
}
