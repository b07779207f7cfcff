/**
 * The few GitHub REST calls Rollgate makes. Every failure surfaces as a
 * `GitHubApiError` naming the call and the status, never a credential.
 */
import type { GitHubAuth } from "./auth";
import { toGitHubApiError } from "./errors";
import { createOctokit, type GitHubOctokit, type GitHubTransportOptions } from "./octokit";

export { GitHubApiError } from "./errors";

export type GitHubClientOptions = GitHubTransportOptions;

export type CommitState = "pending" | "success" | "failure" | "error";

export interface CommitStatus {
  readonly state: CommitState;
  readonly context: string;
  readonly description: string;
  readonly targetUrl?: string;
}

export interface IssueComment {
  readonly id: number;
  readonly body: string;
  /** `user.login` of whoever wrote it. */
  readonly author?: string;
}

/** The login comments appear under: the token's user, or the App's bot. */
const ownLogin: Record<GitHubAuth["kind"], (octokit: GitHubOctokit) => Promise<string>> = {
  token: async (octokit) => (await octokit.request("GET /user")).data.login,
  app: async (octokit) => {
    const { data } = await octokit.request("GET /app");
    if (!data?.slug) throw new Error("GitHub returned an App without a slug");
    return `${data.slug}[bot]`;
  },
};

export class GitHubClient {
  private readonly octokit: GitHubOctokit;
  private readonly authKind: GitHubAuth["kind"];

  constructor(options: GitHubClientOptions) {
    this.octokit = createOctokit(options);
    this.authKind = options.auth.kind;
  }

  async createCommitStatus(repository: string, sha: string, status: CommitStatus): Promise<void> {
    const route = "POST /repos/{owner}/{repo}/statuses/{sha}";
    await this.call(route, () =>
      this.octokit.request(route, {
        ...ownerRepo(repository),
        sha,
        state: status.state,
        context: status.context,
        description: status.description.slice(0, 140),
        ...(status.targetUrl === undefined ? {} : { target_url: status.targetUrl }),
      }),
    );
  }

  /** Comments on an issue or PR, oldest first (up to `maxPages` pages of 100). */
  async listIssueComments(repository: string, issue: number, maxPages = 10): Promise<IssueComment[]> {
    const route = "GET /repos/{owner}/{repo}/issues/{issue_number}/comments";
    const comments: IssueComment[] = [];
    for (let page = 1; page <= maxPages; page += 1) {
      const { data } = await this.call(route, () =>
        this.octokit.request(route, { ...ownerRepo(repository), issue_number: issue, per_page: 100, page }),
      );
      comments.push(...data.map(toComment));
      if (data.length < 100) break;
    }
    return comments;
  }

  async createIssueComment(repository: string, issue: number, body: string): Promise<IssueComment> {
    const route = "POST /repos/{owner}/{repo}/issues/{issue_number}/comments";
    const { data } = await this.call(route, () => this.octokit.request(route, { ...ownerRepo(repository), issue_number: issue, body }));
    return toComment(data);
  }

  async updateIssueComment(repository: string, commentId: number, body: string): Promise<IssueComment> {
    const route = "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}";
    const { data } = await this.call(route, () => this.octokit.request(route, { ...ownerRepo(repository), comment_id: commentId, body }));
    return toComment(data);
  }

  /** The login Rollgate's comments carry: `GET /user` for a token, `<app-slug>[bot]` (`GET /app`) for an App. */
  authenticatedLogin(): Promise<string> {
    return this.call(`identity (${this.authKind})`, () => ownLogin[this.authKind](this.octokit));
  }

  private async call<T>(route: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (err) {
      throw toGitHubApiError(route, err);
    }
  }
}

function ownerRepo(repository: string): { owner: string; repo: string } {
  const [owner = "", repo = ""] = repository.split("/");
  return { owner, repo };
}

/** Ids above 2^53 arrive as bigint; comment ids are far below that. */
function toComment(data: { id: number | bigint; body?: string; user: { login: string } | null }): IssueComment {
  const author = data.user?.login;
  return { id: Number(data.id), body: data.body ?? "", ...(author === undefined ? {} : { author }) };
}
