/** HTTP shape of the DORA metrics: `GET /api/v1/dora`. */
import { ServiceUnavailableError } from "../errors";
import { DoraQuery, DoraSchema } from "../schemas/dora";
import type { DoraService } from "../services/dora/doraService";
import { authorizeReleaseRead } from "../services/releases/access";
import { authProblems, problemResponse as problem } from "./problems";
import { defineRoute, type AnyRoute } from "./route";

/** `dora` is absent when the server has no release controller. */
export function doraRoutes(dora: DoraService | undefined): AnyRoute[] {
  return [
    defineRoute({
      method: "get",
      path: "/api/v1/dora",
      operationId: "getDoraMetrics",
      summary: "DORA metrics of an environment over a window: deployment frequency, lead time, change failure rate, time to restore",
      tags: ["releases"],
      access: { kind: "token", scopeNote: "`releases:read`, or `releases:<environment>` of the environment" },
      request: { query: DoraQuery },
      responses: {
        200: { description: "The four figures, each with its DORA band and sample count", schema: DoraSchema },
        400: problem("Invalid query (the problem names the field)"),
        ...authProblems,
        503: problem("Releases are not configured on this server"),
      },
      async handle({ query, principal }, res) {
        if (principal) authorizeReleaseRead(principal, query.environment);
        if (!dora) throw new ServiceUnavailableError("releases are not configured on this server (it has no cluster probe)");
        res.json(await dora.report(query.environment, query.window));
      },
    }),
  ];
}
