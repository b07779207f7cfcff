import { RequestError } from "@octokit/request-error";

/** A GitHub call that failed for good (after any retries). Carries no request, response or credentials. */
export class GitHubApiError extends Error {
  constructor(
    message: string,
    /** GitHub's HTTP status; undefined when no answer came (network, timeout, signing). */
    readonly status?: number,
  ) {
    super(message);
    this.name = "GitHubApiError";
  }
}

const secretPatterns = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /\b(gh[pousr]_|github_pat_)[A-Za-z0-9_]+/g,
  /\b(bearer|token)\s+[A-Za-z0-9._~+/=-]+/gi,
];

/** Text with anything shaped like a credential replaced; for messages that come from libraries. */
export function redact(text: string): string {
  return secretPatterns.reduce((result, pattern) => result.replace(pattern, "[REDACTED]"), text);
}

/** Turns whatever octokit threw into a `GitHubApiError` that names the call, not its secrets. */
export function toGitHubApiError(route: string, err: unknown): GitHubApiError {
  if (err instanceof GitHubApiError) return err;
  if (err instanceof RequestError) {
    // The failing call may be the token exchange auth-app made on our behalf, so name the URL that failed.
    const path = new URL(err.request.url, "http://github.invalid").pathname;
    const data = err.response?.data as { message?: unknown } | undefined;
    const reason = typeof data?.message === "string" ? `: ${redact(data.message).slice(0, 200)}` : "";
    return new GitHubApiError(`GitHub ${err.request.method} ${path} answered ${err.status}${reason}`, err.status);
  }
  const detail = err instanceof Error ? redact(err.message).slice(0, 200) : "unknown error";
  return new GitHubApiError(`GitHub ${route} failed: ${detail}`);
}
