/** Builds the app around a fake engine, with known tokens and captured logs. */
import { Writable } from "node:stream";
import request from "supertest";
import { type AppConfig, type AppDeps, type RollgateApp } from "../../../automation/app";
import { buildApp } from "./app";
import { systemClock, type Clock, type DeploymentWaiter, type ReadinessCheck, type SmokeChecker } from "../../../automation/deps";
import { createLogger } from "../../../automation/logger";
import { TokenStore, hashToken } from "../../../automation/services/auth/tokens";
import { MemoryOperationStore } from "../../../automation/services/operations/store";
import { MemoryPreviewJournal, type PreviewJournal } from "../../../automation/services/previews/journal";
import type { PreviewReporter } from "../../../automation/services/previews/reporter";
import type { StreamLimits } from "../../../automation/routes/streamSlots";
import type { PreviewNamespaces } from "../../../automation/services/previews/previewNamespaces";
import { FakeStackEngine } from "./fakeEngine";

export const tokens = {
  admin: "rg_test_admin_token",
  reader: "rg_test_reader_token",
  writer: "rg_test_writer_token",
  auditor: "rg_test_auditor_token",
} as const;

export function testTokenStore(): TokenStore {
  return new TokenStore([
    { name: "admin", sha256: hashToken(tokens.admin), scopes: ["*"] },
    { name: "reader", sha256: hashToken(tokens.reader), scopes: ["previews:read"] },
    { name: "writer", sha256: hashToken(tokens.writer), scopes: ["previews:read", "previews:write"] },
    { name: "auditor", sha256: hashToken(tokens.auditor), scopes: ["audit:read"] },
  ]);
}

export const bearer = (token: string): string => `Bearer ${token}`;

export class FakeClock implements Clock {
  constructor(public current = new Date("2030-01-02T00:00:00.000Z")) {}
  now(): Date {
    return new Date(this.current);
  }
  advanceHours(hours: number): void {
    this.current = new Date(this.current.getTime() + hours * 3_600_000);
  }
  /** Waits for real: the service's tests move the date, not timers. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return systemClock.sleep(ms, signal);
  }
}

export interface HarnessOptions {
  readonly engine?: FakeStackEngine;
  /** The shared state of a previous "replica" (both or neither). */
  readonly operations?: MemoryOperationStore;
  readonly journal?: PreviewJournal;
  readonly config?: Partial<AppConfig>;
  readonly clock?: FakeClock;
  readonly smokeChecker?: SmokeChecker;
  readonly waitForDeployment?: DeploymentWaiter;
  readonly readinessChecks?: readonly ReadinessCheck[];
  readonly reporter?: PreviewReporter;
  readonly eventStreams?: StreamLimits;
  readonly sseHeartbeatMs?: number;
  readonly previewNamespaces?: PreviewNamespaces;
}

export interface Harness {
  readonly rollgate: RollgateApp;
  readonly engine: FakeStackEngine;
  readonly journal: PreviewJournal;
  readonly operations: MemoryOperationStore;
  readonly clock: FakeClock;
  /** Raw JSON log lines. */
  readonly logs: string[];
  /** `namespace/name` of each deployment waited for. */
  readonly waits: string[];
  readonly http: ReturnType<typeof request>;
  /** Resolves when no operation is running. */
  idle(): Promise<void>;
}

export const webhookSecret = "test-webhook-secret";

export function createHarness(options: HarnessOptions = {}): Harness {
  const engine = options.engine ?? new FakeStackEngine();
  const operations = options.operations ?? new MemoryOperationStore();
  const journal = options.journal ?? new MemoryPreviewJournal(operations);
  const clock = options.clock ?? new FakeClock();
  const logs: string[] = [];
  const waits: string[] = [];
  const logger = createLogger(
    "debug",
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logs.push(chunk.toString("utf8"));
        callback();
      },
    }),
  );
  const deps: AppDeps = {
    engine,
    operations,
    journal,
    clock,
    logger,
    tokens: testTokenStore(),
    readinessChecks: options.readinessChecks ?? [],
    waitForDeployment:
      options.waitForDeployment ??
      (async (namespace, name) => {
        waits.push(`${namespace}/${name}`);
      }),
    ...(options.smokeChecker ? { smokeChecker: options.smokeChecker } : {}),
    ...(options.reporter ? { reporter: options.reporter } : {}),
    ...(options.previewNamespaces ? { previewNamespaces: options.previewNamespaces } : {}),
    ...(options.sseHeartbeatMs === undefined ? {} : { sseHeartbeatMs: options.sseHeartbeatMs }),
    ...(options.eventStreams ? { eventStreams: options.eventStreams } : {}),
    config: {
      maxConcurrentOperations: 2,
      previewDefaultTtlHours: 72,
      smokeChecks: [],
      githubWebhookSecret: webhookSecret,
      previewImageTemplate: "ghcr.io/acme/app:pr-{pr}-{sha}",
      ...options.config,
    },
  };
  const rollgate = buildApp(deps);
  return {
    rollgate,
    engine,
    journal,
    operations,
    clock,
    logs,
    waits,
    http: request(rollgate.app),
    idle: () => rollgate.scheduler.idle(),
  };
}

export const sha = (character: string): string => character.repeat(40);
