/** What can go wrong talking to a registry: it cannot be reached (retry later), or it refused the request. */
import { ServiceUnavailableError } from "../../errors";

/** Unreachable, timed out, or 5xx/429: nothing about the image is known; a release waits for it, changing nothing. */
export class RegistryUnavailableError extends ServiceUnavailableError {
  override readonly name = "RegistryUnavailableError";
  constructor(
    readonly host: string,
    detail: string,
  ) {
    super(`registry ${host} is unavailable: ${detail}`);
  }
}

/** The registry answered, and said no: unknown image or manifest (404), no access (401/403), a bad request. */
export class RegistryRequestError extends Error {
  override readonly name = "RegistryRequestError";
  constructor(
    readonly host: string,
    readonly status: number,
    readonly what: string,
    detail: string,
  ) {
    super(`registry ${host} answered ${status} for ${what}${detail ? `: ${detail}` : ""}`);
  }
}
