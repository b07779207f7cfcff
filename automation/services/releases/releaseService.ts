/**
 * Releases for the HTTP layer: the release controller behind a small service
 * that names environments without a stack, orders lists, and runs the
 * controller's recovery and shutdown for the app. No express types here;
 * authorization is the routes' business (it needs the principal).
 */
import type { Logger } from "../../deps";
import { NoSuchStackError } from "../../engine/errors";
import { NotFoundError } from "../../errors";
import type { ReleaseController } from "../../release/controller";
import type { Release, ReleaseStatus, StartReleaseRequest } from "../../release/schemas";
import type { ReleaseCommand } from "../../release/stateMachine";
import { pageOf, type Page, type PageOrder, type PageQuery } from "../pagination";

/** What the service uses of the controller (`ReleaseController` fits; tests pass fakes). */
export type ReleaseControllerPort = Pick<
  ReleaseController,
  "start" | "get" | "list" | "pause" | "resume" | "promote" | "abort" | "approve" | "reject" | "recover" | "close"
>;

export class EnvironmentNotFoundError extends NotFoundError {
  constructor(readonly environment: string) {
    super(`environment \`${environment}\` has no stack; deploy its stack (stable image) before releasing to it`);
  }
}

export interface ReleaseListFilter {
  readonly environment?: string;
  readonly status?: ReleaseStatus;
}

/** `<start in epoch ms>.<id>`: newest first is larger start first, then larger id. */
export const releaseCursorPattern = /^[0-9]{1,15}\.[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function startedMs(release: Release): number {
  return Date.parse(release.startedAt);
}

function newestFirst(a: Release, b: Release): number {
  return startedMs(b) - startedMs(a) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

const releaseOrder: PageOrder<Release> = {
  keyOf: (release) => `${startedMs(release)}.${release.id}`,
  isAfter(release, cursor) {
    const dot = cursor.indexOf(".");
    const [ms, id] = [Number(cursor.slice(0, dot)), cursor.slice(dot + 1)];
    return startedMs(release) < ms || (startedMs(release) === ms && release.id < id);
  },
};

export interface ReleaseServiceDeps {
  readonly controller: ReleaseControllerPort;
  readonly logger: Logger;
  /** Takes over releases whose replica died and relays commands (several replicas); recovery runs once without it. */
  readonly supervisor?: { start(): Promise<void>; stop(): void };
}

export class ReleaseService {
  private recovery: Promise<void> | undefined;

  constructor(private readonly deps: ReleaseServiceDeps) {}

  /** Starts a release; it then runs in the background. */
  async start(request: StartReleaseRequest, actor: string): Promise<Release> {
    try {
      return await this.deps.controller.start(request, actor);
    } catch (error) {
      if (error instanceof NoSuchStackError) throw new EnvironmentNotFoundError(request.environment);
      throw error;
    }
  }

  get(id: string): Promise<Release> {
    return this.deps.controller.get(id);
  }

  /** Newest start first. */
  async list(filter: ReleaseListFilter = {}): Promise<Release[]> {
    const releases = await this.deps.controller.list(filter.environment === undefined ? {} : { environment: filter.environment });
    return releases.filter((release) => filter.status === undefined || release.status === filter.status).sort(newestFirst);
  }

  /** One page of the list, newest first, of the releases `visible` lets through. */
  async page(query: ReleaseListFilter & PageQuery, visible: (release: Release) => boolean = () => true): Promise<Page<Release>> {
    return pageOf((await this.list(query)).filter(visible), query, releaseOrder);
  }

  command(id: string, command: ReleaseCommand, actor: string, reason?: string): Promise<Release> {
    const { controller } = this.deps;
    switch (command) {
      case "pause":
        return controller.pause(id, actor, reason);
      case "resume":
        return controller.resume(id, actor, reason);
      case "promote":
        return controller.promote(id, actor, reason);
      case "abort":
        return controller.abort(id, actor, reason);
      case "approve":
        return controller.approve(id, actor, reason);
      case "reject":
        return controller.reject(id, actor, reason);
    }
  }

  /**
   * Picks up the releases a previous process left active (once). A failure
   * is logged, not thrown: previews still serve, and the releases stay as
   * recorded for the next start or a human.
   */
  recover(): Promise<void> {
    const { supervisor, controller } = this.deps;
    this.recovery ??= (supervisor ? supervisor.start().then(() => []) : controller.recover()).then(
      (recovered) => {
        this.deps.logger.info({ releases: recovered.map((release) => release.id) }, "release recovery done");
      },
      (error: unknown) => {
        this.deps.logger.error({ err: error }, "release recovery failed; active releases are not driven until the next start");
      },
    );
    return this.recovery;
  }

  /**
   * Stops driving releases: pauses and analyses are cut short (resumed by
   * the next start's recovery); a stack update in flight finishes first.
   * False when that took longer than `timeoutMs`.
   */
  async close(timeoutMs: number): Promise<boolean> {
    this.deps.supervisor?.stop();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
      timer.unref();
    });
    try {
      return await Promise.race([this.deps.controller.close().then(() => true as const), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}
