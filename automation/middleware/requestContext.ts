/** Per-request values shared by middleware without widening express's types. */
import type { Request } from "express";
import type { Principal } from "../services/auth/tokens";

const principals = new WeakMap<Request, Principal>();
const requestIds = new WeakMap<Request, string>();

export function setPrincipal(req: Request, principal: Principal): void {
  principals.set(req, principal);
}

export function principalOf(req: Request): Principal | undefined {
  return principals.get(req);
}

export function setRequestId(req: Request, id: string): void {
  requestIds.set(req, id);
}

export function requestIdOf(req: Request): string | undefined {
  return requestIds.get(req);
}
