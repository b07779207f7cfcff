/** Smoke checks over HTTP: GET `<preview url><path>` until it answers the expected status or time runs out. */
import type { SmokeCheck, SmokeChecker, SmokeResult } from "../../deps";
import { messageOf } from "../../errors";

export interface HttpSmokeCheckerOptions {
  readonly fetch?: typeof fetch;
  /** Pause between attempts of one check. */
  readonly retryIntervalMs?: number;
}

export class HttpSmokeChecker implements SmokeChecker {
  private readonly fetch: typeof fetch;
  private readonly retryIntervalMs: number;

  constructor(options: HttpSmokeCheckerOptions = {}) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.retryIntervalMs = options.retryIntervalMs ?? 1000;
  }

  async check(baseUrl: string, checks: readonly SmokeCheck[], options: { signal?: AbortSignal } = {}): Promise<SmokeResult> {
    for (const check of checks) {
      const result = await this.run(baseUrl, check, options.signal);
      if (!result.ok) return result;
    }
    return { ok: true };
  }

  private async run(baseUrl: string, check: SmokeCheck, signal: AbortSignal | undefined): Promise<SmokeResult> {
    const url = joinUrl(baseUrl, check.path);
    const deadline = Date.now() + check.timeoutMs;
    // The last answer explains a failure best; a retry cut off by the deadline does not replace it.
    let answered: string | undefined;
    let failed = `GET ${check.path} did not answer within ${check.timeoutMs} ms`;
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0 || signal?.aborted) return { ok: false, reason: answered ?? failed };
      const timeout = AbortSignal.timeout(remaining);
      try {
        const response = await this.fetch(url, {
          redirect: "manual",
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
        await response.body?.cancel();
        if (response.status === check.expectStatus) return { ok: true };
        answered = `GET ${check.path} returned ${response.status}, expected ${check.expectStatus}`;
      } catch (err) {
        if (!timeout.aborted) failed = `GET ${check.path} failed: ${causeOf(err)}`;
      }
      await sleep(Math.min(this.retryIntervalMs, Math.max(0, deadline - Date.now())));
    }
  }
}

/** `http://host/app/` + `/healthz` → `http://host/app/healthz` (the path is relative to the preview URL). */
export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}

/** fetch wraps network errors as "fetch failed"; the cause's code (ECONNREFUSED, ...) says more. */
function causeOf(err: unknown): string {
  const code = (err as { cause?: { code?: unknown } }).cause?.code;
  return typeof code === "string" ? code : messageOf(err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
