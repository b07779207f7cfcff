/**
 * Puts HTTP in front of the built services (`appServices.ts`): routes,
 * authentication, body limits, request log and error handling. Never
 * listens: `index.ts` does, and tests drive the app with supertest.
 */
import express, { type Express } from "express";
import type { AppConfig, AppServiceDeps, AppServices } from "./appServices";
import type { Logger, ReadinessCheck } from "./deps";
import { errorHandler, notFoundHandler } from "./middleware/problem";
import { requestLog } from "./middleware/requestLog";
import { buildOpenApiDocument } from "./openapi/document";
import { auditRoutes } from "./routes/audit";
import { dashboardRoutes } from "./routes/dashboard";
import { doraRoutes } from "./routes/dora";
import { operationRoutes } from "./routes/operations";
import { previewRoutes } from "./routes/previews";
import { releaseRoutes } from "./routes/releases";
import { mountRoutes, type AnyRoute } from "./routes/route";
import type { StreamLimits } from "./routes/streamSlots";
import { systemRoutes } from "./routes/system";
import { webhookRoutes } from "./routes/webhooks";
import type { TokenStore } from "./services/auth/tokens";

export type { AppConfig, Lifecycle } from "./appServices";

/** Largest JSON body the API accepts. */
export const jsonBodyLimit = 64 * 1024;
/**
 * Largest webhook body. GitHub's pull_request payloads embed the PR
 * description (up to 65,536 characters) and much metadata, so 64 KiB would
 * reject legitimate deliveries; they are authenticated before parsing.
 */
export const webhookBodyLimit = 1024 * 1024;

/** What the HTTP layer needs besides the services. */
export interface AppHttpDeps {
  /** Backend and cluster reachability; each rejects when not reachable. */
  readonly readinessChecks: readonly ReadinessCheck[];
  readonly tokens: TokenStore;
  readonly logger: Logger;
  readonly config: Pick<AppConfig, "githubWebhookSecret" | "metricsAccess">;
  /** Open operation event streams per token and in all; 5 and 100 by default. */
  readonly eventStreams?: StreamLimits;
  readonly sseHeartbeatMs?: number;
}

/** Everything a whole app is built from: what its services run on and what its HTTP layer needs. */
export type AppDeps = AppServiceDeps & AppHttpDeps;

export interface RollgateApp extends AppServices {
  /** The request handler; `listen` is the caller's business. */
  readonly app: Express;
  readonly routes: readonly AnyRoute[];
}

export function createApp(services: AppServices, deps: AppHttpDeps): RollgateApp {
  const { logger, config } = deps;
  const routes: AnyRoute[] = [];
  const openApi = (): Record<string, unknown> =>
    buildOpenApiDocument(routes, {
      title: "Rollgate",
      version: "1.0.0",
      description: "Preview environments, canary releases and operations of the Rollgate progressive-delivery service.",
    });
  routes.push(
    ...systemRoutes({
      readinessChecks: deps.readinessChecks,
      accepting: () => services.lifecycle() === "serving",
      renderMetrics: () => services.metrics.render(),
      metricsAccess: config.metricsAccess ?? "public",
      openApiDocument: openApi,
      logger,
    }),
    ...previewRoutes(services.previews),
    ...releaseRoutes(services.releases),
    ...doraRoutes(services.dora),
    ...auditRoutes(services.audit),
    ...operationRoutes(services.operations, {
      ...(deps.sseHeartbeatMs === undefined ? {} : { heartbeatMs: deps.sseHeartbeatMs }),
      ...(deps.eventStreams ? { streams: deps.eventStreams } : {}),
    }),
    ...webhookRoutes(services.webhooks, services.deliveries),
    ...dashboardRoutes(),
  );

  const app = express();
  app.disable("x-powered-by");
  app.use(requestLog(logger));
  mountRoutes(app, routes, {
    tokens: deps.tokens,
    ...(config.githubWebhookSecret ? { webhookSecret: config.githubWebhookSecret } : {}),
    jsonLimit: jsonBodyLimit,
    webhookLimit: webhookBodyLimit,
  });
  app.use(notFoundHandler);
  app.use(errorHandler(logger));

  return { ...services, app, routes };
}
