/**
 * HTTP plumbing for the metric providers that query over HTTP: one GET with
 * a timeout and the caller's abort, read as JSON. Every failure comes back
 * as text, never as an exception. Messages name no URL or header: either may
 * carry credentials.
 */
import { z } from "zod";

/** An absolute http(s) URL without credentials (they belong in `headers`, which no message repeats). */
export const endpointUrlSchema = z
  .string()
  .url("must be an absolute URL")
  .regex(/^https?:\/\//i, "must be an http(s) URL")
  .refine((url) => !hasCredentials(url), "must not carry credentials (send them as `headers`)");

/** Settings every HTTP provider takes. */
export const httpSettingsShape = {
  /** Per-query timeout; default 10 s. */
  timeoutMs: z.number().int().min(1).max(600_000).optional(),
  /** Extra request headers (e.g. `Authorization`). */
  headers: z.record(z.string()).optional(),
};

export const DEFAULT_TIMEOUT_MS = 10_000;

export interface JsonGet {
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly fetch: typeof fetch;
  readonly signal?: AbortSignal;
}

/** An answer of any status; `body` is undefined when the text is not JSON. */
export interface JsonAnswer {
  readonly status: number;
  readonly ok: boolean;
  readonly text: string;
  readonly body: unknown;
}

export type JsonGetResult = { readonly answer: JsonAnswer } | { readonly error: string };

export async function getJson(request: JsonGet): Promise<JsonGetResult> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  try {
    const response = await request.fetch(request.url, { headers: { accept: "application/json", ...request.headers }, signal });
    const text = await response.text();
    return { answer: { status: response.status, ok: response.ok, text, body: parseJson(text) } };
  } catch (error) {
    if (request.signal?.aborted) return { error: "measurement aborted" };
    if (timeout.aborted) return { error: `timed out after ${request.timeoutMs} ms` };
    return { error: `request failed: ${describeCause(error)}` };
  }
}

function hasCredentials(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== "" || parsed.password !== "";
  } catch {
    return false; // not a URL at all: the checks before this one say so
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
  return `${error.message}${cause}`;
}
