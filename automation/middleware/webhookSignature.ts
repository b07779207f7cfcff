/** Authenticates GitHub webhook deliveries by their HMAC signature, then parses the JSON body. */
import type { RequestHandler } from "express";
import { ServiceUnavailableError, UnauthenticatedError, ValidationError } from "../errors";
import { isValidSignature } from "../services/webhooks/githubWebhooks";

/** Expects `req.body` as the raw Buffer (express.raw) and leaves the parsed JSON in its place. */
export function verifyWebhookSignature(secret: string | undefined): RequestHandler {
  return (req, _res, next) => {
    if (!secret) throw new ServiceUnavailableError("GitHub webhooks are not configured on this server");
    const raw: unknown = req.body;
    const body = Buffer.isBuffer(raw) ? raw : Buffer.alloc(0);
    const header = req.headers["x-hub-signature-256"];
    if (typeof header !== "string" || header.length === 0) {
      throw new UnauthenticatedError("the X-Hub-Signature-256 header is missing");
    }
    if (!isValidSignature(secret, body, header)) throw new UnauthenticatedError("the webhook signature does not match");
    try {
      req.body = body.length === 0 ? undefined : (JSON.parse(body.toString("utf8")) as unknown);
    } catch {
      throw new ValidationError("the request body is not valid JSON");
    }
    next();
  };
}
