/**
 * The one place that builds an Octokit: retries on 5xx and 429, waits out
 * primary and secondary rate limits a bounded number of times, and
 * authenticates with a token or as a GitHub App installation.
 */
import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/core";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import Bottleneck from "bottleneck";
import type { Logger } from "../../deps";
import type { GitHubAuth } from "./auth";

export interface GitHubTransportOptions {
  readonly auth: GitHubAuth;
  /** `https://api.github.com`, or a GitHub Enterprise / test server. */
  readonly apiUrl: string;
  readonly logger: Logger;
  readonly fetch?: typeof fetch;
  /** Per attempt. */
  readonly timeoutMs?: number;
  /** Retries of one call after a 5xx, a 429 or a rate limit. */
  readonly retries?: number;
  /**
   * The retry delay unit: after a 5xx/429 a retry waits n² units, after a rate limit
   * `retry-after` (or reset) seconds count one unit each. 1000 ms; tests shrink it.
   */
  readonly retryDelayUnitMs?: number;
  /** A rate limit asking for a longer wait fails the call instead of holding the report that long. */
  readonly maxRateLimitWaitSeconds?: number;
  /** Spacing between writes, which GitHub asks for to avoid secondary limits; tests set 0. */
  readonly writeSpacingMs?: number;
}

export type GitHubOctokit = InstanceType<typeof RetryingOctokit>;

const RetryingOctokit = Octokit.plugin(retry, throttling);

export function createOctokit(options: GitHubTransportOptions): GitHubOctokit {
  const retries = options.retries ?? 3;
  const unitMs = options.retryDelayUnitMs ?? 1000;
  const maxWait = options.maxRateLimitWaitSeconds ?? 60;
  const log = options.logger.child({ component: "github" });
  const onLimit =
    (limit: "primary" | "secondary") =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number): boolean => {
      const willRetry = retryCount < retries && retryAfter <= maxWait;
      log.warn(
        { limit, method: request.method, path: pathOf(request.url), retryAfterSeconds: retryAfter, retryCount, willRetry },
        willRetry ? "GitHub rate limit reached; retrying" : "GitHub rate limit reached; giving up",
      );
      return willRetry;
    };
  return new RetryingOctokit({
    baseUrl: options.apiUrl.replace(/\/+$/, ""),
    userAgent: "rollgate",
    request: { fetch: withTimeout(options.fetch ?? globalThis.fetch, options.timeoutMs ?? 10_000) },
    // Octokit's extra arguments can hold request options; only its message is logged.
    log: {
      debug: (message: string) => log.debug(message),
      info: (message: string) => log.info(message),
      warn: (message: string) => log.warn(message),
      error: (message: string) => log.error(message),
    },
    retry: { retries, retryAfterBaseValue: unitMs },
    throttle: {
      onRateLimit: onLimit("primary"),
      onSecondaryRateLimit: onLimit("secondary"),
      retryAfterBaseValue: unitMs,
      ...(options.writeSpacingMs === undefined ? {} : writeGroups(options.writeSpacingMs)),
    },
    ...authOptions(options.auth),
  });
}

function authOptions(auth: GitHubAuth) {
  switch (auth.kind) {
    case "token":
      return { auth: auth.token };
    case "app":
      return {
        authStrategy: createAppAuth,
        auth: { appId: auth.appId, privateKey: auth.privateKey, installationId: auth.installationId },
      };
  }
}

/** The plugin's own write groups are process-wide and fixed at 1 s (3 s for notifying writes such as comments). */
function writeGroups(spacingMs: number) {
  const group = () => new Bottleneck.Group({ maxConcurrent: 1, minTime: spacingMs });
  return { write: group(), notifications: group() };
}

function withTimeout(fetchImpl: typeof fetch, timeoutMs: number): typeof fetch {
  return (input, init) => fetchImpl(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) });
}

/** Handlers see the route template (`/repos/{owner}/{repo}/...`), which is all a log needs. */
function pathOf(url: string): string {
  return url.split("?")[0] ?? url;
}
