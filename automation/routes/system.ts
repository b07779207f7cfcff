/** Health, readiness, metrics and the OpenAPI document. */
import { z } from "zod";
import type { ReadinessCheck, Logger } from "../deps";
import type { MetricsAccess } from "../env";
import { HealthSchema, ReadinessSchema } from "../schemas/system";
import { exposition } from "../services/metrics/exposition";
import { authProblems } from "./problems";
import { defineRoute, type AnyRoute } from "./route";

export interface SystemRoutesDeps {
  readonly readinessChecks: readonly ReadinessCheck[];
  /** False while starting (crash recovery) and while shutting down. */
  readonly accepting: () => boolean;
  readonly renderMetrics: () => Promise<string>;
  readonly metricsAccess: MetricsAccess;
  readonly openApiDocument: () => unknown;
  readonly logger: Logger;
  readonly readinessTimeoutMs?: number;
}

const metricsResponses = { 200: { description: "Metrics", schema: z.string(), contentType: exposition.contentType } };

export function systemRoutes(deps: SystemRoutesDeps): AnyRoute[] {
  return [
    defineRoute({
      method: "get",
      path: "/healthz",
      operationId: "health",
      summary: "Liveness: the process is serving requests",
      tags: ["system"],
      access: { kind: "public" },
      request: {},
      responses: { 200: { description: "Alive", schema: HealthSchema } },
      handle(_input, res) {
        res.json({ status: "ok" });
      },
    }),
    defineRoute({
      method: "get",
      path: "/readyz",
      operationId: "readiness",
      summary: "Readiness: state backend and cluster reachable, recovery done, not shutting down",
      tags: ["system"],
      access: { kind: "public" },
      request: {},
      responses: {
        200: { description: "Ready", schema: ReadinessSchema },
        503: { description: "Not ready", schema: ReadinessSchema },
      },
      async handle(_input, res) {
        const checks = await Promise.all(
          deps.readinessChecks.map(async (check) => ({
            name: check.name,
            ok: await runCheck(check, deps.readinessTimeoutMs ?? 3000, deps.logger),
          })),
        );
        checks.unshift({ name: "service", ok: deps.accepting() });
        const ready = checks.every((check) => check.ok);
        res.status(ready ? 200 : 503).json({ status: ready ? "ready" : "not-ready", checks });
      },
    }),
    defineRoute({
      method: "get",
      path: "/metrics",
      operationId: "metrics",
      summary: "Prometheus metrics (text exposition format 0.0.4); `metrics:read` with ROLLGATE_METRICS_ACCESS=token",
      tags: ["system"],
      access: deps.metricsAccess === "token" ? { kind: "token", scope: "metrics:read" } : { kind: "public" },
      request: {},
      responses: deps.metricsAccess === "token" ? { ...metricsResponses, ...authProblems } : metricsResponses,
      async handle(_input, res) {
        const text = await deps.renderMetrics();
        res.status(200).set("Content-Type", exposition.contentType).send(text);
      },
    }),
    defineRoute({
      method: "get",
      path: "/api/v1/openapi.json",
      operationId: "openApiDocument",
      summary: "This API's OpenAPI 3.1 document (any valid token)",
      tags: ["system"],
      access: { kind: "token", scopeNote: "any valid token" },
      request: {},
      responses: { 200: { description: "OpenAPI document", schema: z.record(z.unknown()) }, ...authProblems },
      handle(_input, res) {
        res.json(deps.openApiDocument());
      },
    }),
  ];
}

async function runCheck(check: ReadinessCheck, timeoutMs: number, logger: Logger): Promise<boolean> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    await Promise.race([check.check(controller.signal), timeout]);
    return true;
  } catch (err) {
    logger.warn({ err, check: check.name }, "readiness check failed");
    return false;
  } finally {
    clearTimeout(timer);
  }
}
