/**
 * Typed errors thrown by services. They carry a `kind`, never an HTTP status:
 * `middleware/problem.ts` is the one place that maps kinds (and the Pulumi
 * SDK's errors, by name) to status codes.
 */

export type ErrorKind =
  | "invalid-request"
  | "unauthenticated"
  | "forbidden"
  | "not-found"
  | "conflict"
  | "unsupported-media-type"
  | "limit-reached"
  | "unprocessable"
  | "unavailable";

export interface FieldError {
  /** Dotted location of the bad value, e.g. `body.pr` or `params.id`. */
  readonly path: string;
  readonly message: string;
}

export abstract class RollgateError extends Error {
  abstract readonly kind: ErrorKind;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ValidationError extends RollgateError {
  override readonly kind = "invalid-request";

  constructor(
    message: string,
    readonly errors: readonly FieldError[] = [],
  ) {
    super(message);
  }
}

export class UnauthenticatedError extends RollgateError {
  override readonly kind = "unauthenticated";
}

export class ForbiddenError extends RollgateError {
  override readonly kind = "forbidden";
}

export class NotFoundError extends RollgateError {
  override readonly kind = "not-found";
}

export class ConflictError extends RollgateError {
  override readonly kind = "conflict";
}

export class UnsupportedMediaTypeError extends RollgateError {
  override readonly kind = "unsupported-media-type";
}

/** A configured bound is reached (previews, queued operations); a retry after `retryAfterSeconds` may succeed. */
export class LimitReachedError extends RollgateError {
  override readonly kind = "limit-reached";

  constructor(
    message: string,
    readonly retryAfterSeconds = 60,
  ) {
    super(message);
  }
}

/** Well-formed, but refused for what it names (e.g. an image that fails its supply-chain checks); `errors` say why. */
export class UnprocessableError extends RollgateError {
  override readonly kind = "unprocessable";
  constructor(
    message: string,
    readonly errors: readonly FieldError[],
  ) {
    super(message);
  }
}

export class ServiceUnavailableError extends RollgateError {
  override readonly kind = "unavailable";
}

/** Pulumi's state backend cannot be reached (its database is down); a retry later may succeed. */
export class BackendUnavailableError extends ServiceUnavailableError {
  readonly retryAfterSeconds = 5;

  constructor(detail: string) {
    super(`the Pulumi state backend is unavailable: ${redactCredentials(detail).slice(0, 500)}`);
  }
}

export class PreviewNotFoundError extends NotFoundError {
  constructor(readonly pr: number) {
    super(`no preview environment for PR ${pr}`);
  }
}

export class PreviewLimitError extends LimitReachedError {
  constructor(
    readonly pr: number,
    readonly limit: number,
    readonly repository?: string,
  ) {
    super(
      repository === undefined
        ? `PR ${pr} gets no preview: the limit of ${limit} preview environments is reached; destroy one first`
        : `PR ${pr} gets no preview: the limit of ${limit} preview environments for ${repository} is reached; destroy one first`,
    );
  }
}

/** A pull request delivery about an older head than the one the preview already has (GitHub delivers out of order). */
export class StaleHeadError extends ConflictError {
  constructor(
    readonly pr: number,
    headUpdatedAt: string,
    currentUpdatedAt: string,
  ) {
    super(`PR ${pr}: this delivery describes the pull request as of ${headUpdatedAt}, older than the preview's head (as of ${currentUpdatedAt})`);
  }
}

export class OperationNotFoundError extends NotFoundError {
  constructor(readonly operationId: string) {
    super(`no operation with id ${operationId}`);
  }
}

/** The kind of a thrown value, or `undefined` for unexpected errors. */
export function errorKindOf(err: unknown): ErrorKind | undefined {
  if (err instanceof RollgateError) return err.kind;
  return undefined;
}

/** Field errors carried by a validation error from another module (`issues: [{ field, message }]`). */
export function fieldErrorsOf(err: unknown): FieldError[] {
  const issues = (err as { issues?: unknown }).issues;
  if (!Array.isArray(issues)) return [];
  return issues.flatMap((issue: unknown) => {
    const { field, message } = (issue ?? {}) as { field?: unknown; message?: unknown };
    return typeof field === "string" && typeof message === "string" ? [{ path: `body.${field}`, message }] : [];
  });
}

/** An error's message with those of its causes (the SDK's text behind a translated error), for logs. */
export function fullMessageOf(err: unknown): string {
  const parts: string[] = [];
  for (let current: unknown = err, depth = 0; current !== undefined && depth < 5; current = (current as { cause?: unknown }).cause, depth += 1) {
    parts.push(messageOf(current));
  }
  return parts.join("\ncaused by: ");
}

/** A short, client-safe message for an error (no stack, no password of a URL it quotes). */
export function messageOf(err: unknown): string {
  return redactCredentials(err instanceof Error ? err.message : String(err));
}

/** The most a summary shown to users (API, dashboard, PR comments, audit) may be. */
export const maxErrorSummaryLength = 2000;

/** Absolute local paths (`/work/app/.rollgate/workspaces/preview-pr-1/Pulumi.yaml`), by their top directories: not URL paths. */
const localPath = /(?<![\w:/.~-])\/(?:home|root|tmp|var|usr|opt|etc|srv|mnt|run|work|workspace|Users|private|nix)\/(?:[\w.@+~-]+\/)*([\w.@+~-]*)/g;

/** The `Policies:` section of Pulumi's output, as the CLI indents it (readers parse the indentation). */
function policiesSection(lines: readonly string[]): string[] {
  const start = lines.findIndex((line) => line.trim() === "Policies:");
  if (start === -1) return [];
  const end = lines.findIndex((line, index) => index > start && line.trim() !== "" && !/^\s/.test(line));
  return lines.slice(start, end === -1 ? undefined : end);
}

/**
 * What users are shown of an error: its text without stack frames or this
 * machine's paths; when that is too long, Pulumi's policy violations and
 * `error:` lines (the rest of a CLI's output is progress). Capped. The full
 * text belongs in the service log and the operation's log.
 */
export function errorSummary(err: unknown): string {
  const lines = messageOf(err)
    .replace(localPath, (_path, file: string) => `…/${file}`)
    .split("\n")
    .filter((line) => !/^\s*at\s/.test(line))
    .map((line) => line.trimEnd());
  let text = lines.join("\n").replace(/\n{3,}/g, "\n\n").trim();
  if (text.length > maxErrorSummaryLength) {
    const errorLines = [...new Set(lines.map((line) => line.trim()).filter((line) => /\berror:/i.test(line)))];
    text = [...policiesSection(lines), ...errorLines].join("\n").trim() || text;
  }
  return text.length > maxErrorSummaryLength ? `${text.slice(0, maxErrorSummaryLength - 1)}…` : text;
}

/** `text` with the password of every URL in it masked (`postgres://rollgate:****@db:5432/rollgate`). */
export function redactCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+):[^\s/@]+@/gi, "$1:****@");
}
