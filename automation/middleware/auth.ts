/** Bearer-token authentication and scope checks for `/api/v1`. */
import type { Request, RequestHandler } from "express";
import { z } from "zod";
import { ForbiddenError, UnauthenticatedError } from "../errors";
import { hasScope, type Principal, type TokenStore } from "../services/auth/tokens";
import { principalOf, setPrincipal } from "./requestContext";

const AuthorizationHeader = z.string().regex(/^Bearer [A-Za-z0-9._~+/=-]{1,512}$/);

export function authenticate(tokens: TokenStore): RequestHandler {
  return (req, _res, next) => {
    const header = AuthorizationHeader.safeParse(req.headers.authorization);
    if (!header.success) throw new UnauthenticatedError("send Authorization: Bearer <token>");
    const principal = tokens.authenticate(header.data.slice("Bearer ".length));
    if (!principal) throw new UnauthenticatedError("the token is not valid");
    setPrincipal(req, principal);
    next();
  };
}

/** The authenticated caller; throws when the route was mounted without `authenticate`. */
export function requirePrincipal(req: Request): Principal {
  const principal = principalOf(req);
  if (!principal) throw new UnauthenticatedError("authentication required");
  return principal;
}

export function authorize(principal: Principal, scope: string): void {
  if (!hasScope(principal, scope)) throw new ForbiddenError(`this token lacks the \`${scope}\` scope`);
}
