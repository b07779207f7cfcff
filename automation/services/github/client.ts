/**
 * The few GitHub REST calls Rollgate makes, over `fetch`. A small client
 * instead of @octokit/rest: two endpoints do not justify the dependency.
 */

export interface GitHubClientOptions {
  readonly token: string;
  /** `https://api.github.com`, or a GitHub Enterprise / test server. */
  readonly apiUrl: string;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

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

export class GitHubApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "GitHubApiError";
  }
}

export class GitHubClient {
  private readonly fetch: typeof fetch;
  private readonly apiUrl: string;

  constructor(private readonly options: GitHubClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.apiUrl = options.apiUrl.replace(/\/+$/, "");
  }

  async createCommitStatus(repository: string, sha: string, status: CommitStatus): Promise<void> {
    await this.request("POST", `/repos/${repository}/statuses/${sha}`, {
      state: status.state,
      context: status.context,
      description: status.description.slice(0, 140),
      ...(status.targetUrl === undefined ? {} : { target_url: status.targetUrl }),
    });
  }

  /** Comments on an issue or PR, oldest first (up to `maxPages` pages of 100). */
  async listIssueComments(repository: string, issue: number, maxPages = 10): Promise<IssueComment[]> {
    const comments: IssueComment[] = [];
    for (let page = 1; page <= maxPages; page += 1) {
      const batch = await this.request("GET", `/repos/${repository}/issues/${issue}/comments?per_page=100&page=${page}`);
      if (!Array.isArray(batch)) throw new GitHubApiError(502, "GitHub returned a non-array comment list");
      for (const item of batch as unknown[]) {
        if (typeof (item as { id?: unknown }).id === "number") comments.push(this.comment(item));
      }
      if (batch.length < 100) break;
    }
    return comments;
  }

  async createIssueComment(repository: string, issue: number, body: string): Promise<IssueComment> {
    return this.comment(await this.request("POST", `/repos/${repository}/issues/${issue}/comments`, { body }));
  }

  async updateIssueComment(repository: string, commentId: number, body: string): Promise<IssueComment> {
    return this.comment(await this.request("PATCH", `/repos/${repository}/issues/comments/${commentId}`, { body }));
  }

  /** The login the token acts as (`GET /user`). */
  async authenticatedLogin(): Promise<string> {
    const user = (await this.request("GET", "/user")) as { login?: unknown };
    if (typeof user.login !== "string") throw new GitHubApiError(502, "GitHub returned a user without a login");
    return user.login;
  }

  private comment(data: unknown): IssueComment {
    const comment = data as { id?: unknown; body?: unknown; user?: { login?: unknown } | null };
    if (typeof comment.id !== "number") throw new GitHubApiError(502, "GitHub returned a comment without an id");
    const author = comment.user?.login;
    return { id: comment.id, body: typeof comment.body === "string" ? comment.body : "", ...(typeof author === "string" ? { author } : {}) };
  }

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await this.fetch(`${this.apiUrl}${path}`, {
      method,
      headers: {
        accept: "application/vnd.github+json",
        authorization: `Bearer ${this.options.token}`,
        "x-github-api-version": "2022-11-28",
        "user-agent": "rollgate",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new GitHubApiError(response.status, `GitHub ${method} ${path.split("?")[0]} answered ${response.status}`);
    }
    return text === "" ? undefined : (JSON.parse(text) as unknown);
  }
}
