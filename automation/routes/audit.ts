/** HTTP shape of the audit trail: `GET /api/v1/audit`. */
import { AuditPageSchema, AuditQuery } from "../schemas/audit";
import type { AuditLog } from "../services/audit/auditLog";
import { authProblems, problemResponse as problem } from "./problems";
import { defineRoute, type AnyRoute } from "./route";

/** The scope that lets a token read the audit trail. */
export const AUDIT_READ_SCOPE = "audit:read";

export function auditRoutes(audit: AuditLog): AnyRoute[] {
  return [
    defineRoute({
      method: "get",
      path: "/api/v1/audit",
      operationId: "listAuditRecords",
      summary: "The audit trail, newest first: preview operations, environment updates and release events",
      tags: ["audit"],
      access: { kind: "token", scope: AUDIT_READ_SCOPE },
      request: { query: AuditQuery },
      responses: {
        200: { description: "A page of records; follow `nextCursor` for older ones", schema: AuditPageSchema },
        400: problem("Invalid query (the problem names the field)"),
        ...authProblems,
      },
      async handle({ query }, res) {
        const page = await audit.query({
          ...(query.environment === undefined ? {} : { environment: query.environment }),
          ...(query.since === undefined ? {} : { since: query.since }),
          ...(query.limit === undefined ? {} : { limit: query.limit }),
          ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
        });
        res.json(page);
      },
    }),
  ];
}
