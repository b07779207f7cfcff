/**
 * The app around a fake release controller (release records kept in memory
 * with the real state machine, every call recorded), known tokens with
 * release scopes, and captured logs.
 */
import { Writable } from "node:stream";
import request from "supertest";
import { type RollgateApp } from "../../../automation/app";
import { buildApp } from "../support/app";
import { createLogger } from "../../../automation/logger";
import { ReleaseConflictError, ReleaseNotFoundError, ReleaseValidationError } from "../../../automation/release/errors";
import type { Release, StartReleaseRequest } from "../../../automation/release/schemas";
import { applyCommand, createRelease, isActive, type ReleaseCommand } from "../../../automation/release/stateMachine";
import { stepRouting } from "../../../automation/release/stepRouting";
import { TokenStore, hashToken } from "../../../automation/services/auth/tokens";
import type { ReleaseControllerPort } from "../../../automation/services/releases/releaseService";
import { NoSuchStackError } from "../../../automation/engine/errors";
import { FakeStackEngine } from "../support/fakeEngine";

export const releaseTokens = {
  admin: "rg_rel_admin",
  staging: "rg_rel_staging",
  production: "rg_rel_production",
  reader: "rg_rel_reader",
  previews: "rg_rel_previews",
  allReleases: "rg_rel_all",
} as const;

export function releaseTokenStore(): TokenStore {
  const entry = (name: string, token: string, scopes: string[]) => ({ name, sha256: hashToken(token), scopes });
  return new TokenStore([
    entry("admin", releaseTokens.admin, ["*"]),
    entry("ci-staging", releaseTokens.staging, ["releases:staging"]),
    entry("ci-production", releaseTokens.production, ["releases:production", "releases:read"]),
    entry("release-reader", releaseTokens.reader, ["releases:read"]),
    entry("previews-bot", releaseTokens.previews, ["previews:read", "previews:write"]),
    entry("release-manager", releaseTokens.allReleases, ["releases:*"]),
  ]);
}

export const bearer = (token: string): string => `Bearer ${token}`;

export const STABLE = "ghcr.io/acme/web:1.0.0";
export const CANARY = "ghcr.io/acme/web:1.1.0";

/** A step of a release's scripted life: applied to the record on a `get`. */
export type Scripted = (release: Release) => Release;

export class FakeReleaseController implements ReleaseControllerPort {
  readonly calls: string[] = [];
  readonly started: { request: StartReleaseRequest; actor: string }[] = [];
  readonly releases = new Map<string, Release>();
  /** Stable image per environment; an environment not listed has no stack. */
  readonly stableImages: Record<string, string> = { staging: STABLE, production: STABLE, dev: STABLE };
  private readonly scripts = new Map<string, Scripted[]>();
  private ids = 0;
  private time = Date.parse("2030-01-02T00:00:00.000Z");

  async start(request: StartReleaseRequest, actor: string): Promise<Release> {
    this.calls.push(`start ${request.environment} ${actor}`);
    this.started.push({ request, actor });
    const previousImage = this.stableImages[request.environment];
    if (previousImage === undefined) throw new NoSuchStackError(request.environment);
    const active = [...this.releases.values()].find((release) => release.environment === request.environment && isActive(release.status));
    if (active) throw new ReleaseConflictError(request.environment, active.id);
    if (previousImage === request.image) {
      throw new ReleaseValidationError([{ field: "image", message: `is already the stable image of \`${request.environment}\`` }]);
    }
    const release = createRelease(request, { id: `rel-${++this.ids}`, actor, previousImage, at: this.tick() });
    this.releases.set(release.id, release);
    return release;
  }

  async get(id: string): Promise<Release> {
    this.calls.push(`get ${id}`);
    const script = this.scripts.get(id);
    const next = script?.shift();
    if (next) this.update(id, next);
    return this.find(id);
  }

  async list(filter: { readonly environment?: string } = {}): Promise<Release[]> {
    this.calls.push(`list ${filter.environment ?? "*"}`);
    return [...this.releases.values()].filter((release) => filter.environment === undefined || release.environment === filter.environment);
  }

  pause(id: string, actor: string, reason?: string): Promise<Release> {
    return this.command(id, "pause", actor, reason);
  }

  resume(id: string, actor: string, reason?: string): Promise<Release> {
    return this.command(id, "resume", actor, reason);
  }

  promote(id: string, actor: string, reason?: string): Promise<Release> {
    return this.command(id, "promote", actor, reason);
  }

  abort(id: string, actor: string, reason?: string): Promise<Release> {
    return this.command(id, "abort", actor, reason);
  }

  approve(id: string, actor: string, reason?: string): Promise<Release> {
    return this.command(id, "approve", actor, reason);
  }

  reject(id: string, actor: string, reason?: string): Promise<Release> {
    return this.command(id, "reject", actor, reason);
  }

  async recover(): Promise<Release[]> {
    this.calls.push("recover");
    return [];
  }

  async close(): Promise<void> {
    this.calls.push("close");
  }

  /** Changes a record as the controller's loop would. */
  update(id: string, change: Scripted): Release {
    const next = change(this.find(id));
    this.releases.set(id, next);
    return next;
  }

  /** Each later `get` of the release applies the next change first. */
  script(id: string, changes: Scripted[]): void {
    this.scripts.set(id, [...changes]);
  }

  /** Calls that reached the controller other than reads. */
  mutations(): string[] {
    return this.calls.filter((call) => !call.startsWith("get ") && !call.startsWith("list "));
  }

  private async command(id: string, command: ReleaseCommand, actor: string, reason?: string): Promise<Release> {
    this.calls.push(`${command} ${id} ${actor}`);
    const after = applyCommand(this.find(id), command, actor, this.tick(), reason);
    this.releases.set(id, after);
    return after;
  }

  private find(id: string): Release {
    const release = this.releases.get(id);
    if (!release) throw new ReleaseNotFoundError(id);
    return release;
  }

  private tick(): Date {
    this.time += 1000;
    return new Date(this.time);
  }
}

/** Finished as `status`, as the controller records it. */
export function finished(status: "succeeded" | "rolledBack" | "aborted" | "failed", reason: string | null = null): Scripted {
  return (release) => ({
    ...release,
    status,
    weight: 0,
    intent: null,
    reason,
    finishedAt: "2030-01-02T01:00:00.000Z",
    updatedAt: "2030-01-02T01:00:00.000Z",
  });
}

/** At step `index` with its weight live and one successful error-rate measurement. */
export function atStep(index: number): Scripted {
  return (release) => ({
    ...release,
    step: index,
    weight: release.steps[index] === undefined ? 0 : stepRouting(release.steps, index).weight,
    analysis: [
      ...release.analysis,
      {
        step: index,
        metric: "error-rate",
        value: 0.001,
        threshold: 0.01,
        phase: "successful",
        at: "2030-01-02T00:30:00.000Z",
        detail: `canary 0.1% ≤ 1% at step ${index + 1}`,
      },
    ],
  });
}

export interface ReleaseHarness {
  readonly rollgate: RollgateApp;
  readonly controller: FakeReleaseController;
  readonly engine: FakeStackEngine;
  readonly logs: string[];
  readonly http: ReturnType<typeof request>;
}

export function createReleaseHarness(options: { controller?: ReleaseControllerPort | null } = {}): ReleaseHarness {
  const controller = new FakeReleaseController();
  const engine = new FakeStackEngine();
  const logs: string[] = [];
  const logger = createLogger(
    "debug",
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logs.push(chunk.toString("utf8"));
        callback();
      },
    }),
  );
  const releases = options.controller === null ? undefined : (options.controller ?? controller);
  const rollgate = buildApp({
    engine,
    logger,
    tokens: releaseTokenStore(),
    readinessChecks: [],
    waitForDeployment: async () => undefined,
    config: { maxConcurrentOperations: 2, previewDefaultTtlHours: 72, smokeChecks: [] },
    ...(releases ? { releases } : {}),
  });
  return { rollgate, controller, engine, logs, http: request(rollgate.app) };
}
