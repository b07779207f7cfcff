/**
 * The real Rollgate service as a child process (`node --import tsx
 * automation/index.ts`: the pid is the service itself, so a SIGKILL hits it and
 * nothing else), on a free port with its own state directory and tokens file,
 * and a small client for its HTTP API.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { parseSse } from "../automation/support/sse";
import { dropStateDatabaseSync, ensureStateDatabase } from "./database";

export const repoRoot = resolve(__dirname, "../..");

/** A pino log line of the service. */
export type LogLine = Record<string, unknown> & { readonly msg?: string };

export interface ServiceOptions {
  /** Extra `ROLLGATE_*` settings. */
  readonly env?: Readonly<Record<string, string>>;
  readonly readyTimeoutMs?: number;
}

/** Adds a token to a state directory's tokens file (the service reads it at boot); returns the token. */
export function addToken(stateDir: string, name: string, scopes: readonly string[]): string {
  const file = join(stateDir, "tokens.json");
  const token = `rg_e2e_${randomBytes(16).toString("hex")}`;
  const sha256 = createHash("sha256").update(token, "utf8").digest("hex");
  const tokens = JSON.parse(readFileSync(file, "utf8")) as unknown[];
  writeFileSync(file, JSON.stringify([...tokens, { name, sha256, scopes }]));
  return token;
}

/**
 * A state directory with a tokens file holding one token named `e2e` (by
 * default `previews:read` + `previews:write`). The service started on it
 * keeps its records in a database of its own (`stateDatabaseName`), which
 * `remove` drops with the directory.
 */
export function newStateDir(
  prefix = "rg-e2e-",
  scopes: readonly string[] = ["previews:read", "previews:write"],
): { readonly dir: string; readonly token: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const token = `rg_e2e_${randomBytes(16).toString("hex")}`;
  const sha256 = createHash("sha256").update(token, "utf8").digest("hex");
  writeFileSync(join(dir, "tokens.json"), JSON.stringify([{ name: "e2e", sha256, scopes }]));
  return {
    dir,
    token,
    remove: () => {
      dropStateDatabaseSync(dir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export class RollgateProcess {
  readonly logs: LogLine[] = [];
  /** Lines on stderr and stdout lines that are not JSON. */
  readonly output: string[] = [];
  private readonly exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  private constructor(
    private readonly child: ChildProcess,
    readonly stateDir: string,
  ) {
    this.exited = new Promise((resolveExit) => {
      child.once("exit", (code) => {
        this.exitCode = code;
        resolveExit(code);
      });
    });
    createInterface({ input: child.stdout! }).on("line", (line) => {
      try {
        this.logs.push(JSON.parse(line) as LogLine);
      } catch {
        this.output.push(line);
      }
    });
    createInterface({ input: child.stderr! }).on("line", (line) => this.output.push(line));
  }

  /**
   * Starts the service with `stateDir` (journal, workspaces, tokens file; reuse
   * it to restart) and resolves once `/readyz` answers 200
   * (crash recovery done, backend and cluster reachable).
   */
  static async start(stateDir: string, options: ServiceOptions = {}): Promise<RollgateService> {
    // Only the toolchain variables (PATH, PULUMI_*, KUBECONFIG) are inherited; Rollgate's own settings are the test's.
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("ROLLGATE_")));
    const databaseUrl = options.env?.ROLLGATE_DATABASE_URL ?? (await ensureStateDatabase(stateDir));
    const child = spawn(process.execPath, ["--max-semi-space-size=4", "--import", "tsx", "automation/index.ts"], {
      cwd: repoRoot,
      env: {
        ...inherited,
        ROLLGATE_HOST: "127.0.0.1",
        ROLLGATE_PORT: "0",
        ROLLGATE_STATE_DIR: stateDir,
        ROLLGATE_TOKENS_FILE: join(stateDir, "tokens.json"),
        ROLLGATE_LOG_LEVEL: "info",
        ROLLGATE_SHUTDOWN_TIMEOUT_SECONDS: "30",
        ROLLGATE_DATABASE_URL: databaseUrl,
        ...options.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const service = new RollgateProcess(child, stateDir);
    const listening = await service.waitForLog((line) => line.msg === "rollgate listening", options.readyTimeoutMs ?? 60_000);
    const url = String(listening.url);
    const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
    for (;;) {
      const ready = await fetch(`${url}/readyz`).then((response) => response.ok, () => false);
      if (ready) break;
      if (Date.now() > deadline || service.exitCode !== undefined) {
        await service.kill();
        throw new Error(`the service did not become ready:\n${service.describe()}`);
      }
      await sleep(250);
    }
    return Object.assign(service, { url });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** Resolves with the first log line (past or future) that matches. */
  async waitForLog(match: (line: LogLine) => boolean, timeoutMs = 60_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.logs.find(match);
      if (found) return found;
      if (this.exitCode !== undefined) throw new Error(`the service exited (${this.exitCode}) first:\n${this.describe()}`);
      if (Date.now() > deadline) throw new Error(`no matching log line within ${timeoutMs} ms:\n${this.describe()}`);
      await sleep(100);
    }
  }

  /** SIGTERM (graceful shutdown), then SIGKILL if it has not exited within `timeoutMs`. */
  async stop(timeoutMs = 45_000): Promise<void> {
    if (!this.running) return;
    this.child.kill("SIGTERM");
    const stopped = await Promise.race([this.exited.then(() => true), sleep(timeoutMs).then(() => false)]);
    if (!stopped) await this.kill();
  }

  /** SIGKILL the service process only; processes it started are left running. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill("SIGKILL");
    await this.exited;
  }

  /**
   * SIGKILL the service and every process it started (Pulumi CLI, language
   * hosts, providers) at once, as an OOM kill of its container or cgroup does.
   * Returns the processes it killed besides the service.
   */
  async crash(): Promise<ProcessId[]> {
    const tree = descendants(this.pid);
    const killed = killLeftovers(tree);
    this.child.kill("SIGKILL");
    await this.exited;
    return tree.filter((id) => killed.includes(id.pid));
  }

  /** The last log lines and stderr, for failure messages. */
  describe(lines = 40): string {
    return [...this.logs.slice(-lines).map((line) => JSON.stringify(line)), ...this.output.slice(-lines)].join("\n");
  }
}

export type RollgateService = RollgateProcess & { readonly url: string };

/** Processes below `pid`, each with its start time so it is recognised later (pids are reused). */
export function descendants(pid: number): ProcessId[] {
  const children = new Map<number, ProcessId[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push({ pid: Number(entry), startTime: stat.startTime });
    children.set(stat.ppid, list);
  }
  const found: ProcessId[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

export interface ProcessId {
  readonly pid: number;
  readonly startTime: string;
}

/** Kills the processes of `ids` that still run (the same process: same start time). Returns those it killed. */
export function killLeftovers(ids: readonly ProcessId[]): number[] {
  const killed: number[] = [];
  for (const id of ids) {
    const stat = readStat(id.pid);
    if (!stat || stat.startTime !== id.startTime || stat.state === "Z") continue;
    try {
      process.kill(id.pid, "SIGKILL");
      killed.push(id.pid);
    } catch {
      // exited in the meantime
    }
  }
  return killed;
}

/** /proc reports CPU times in USER_HZ, 100 per second on Linux whatever the kernel's own tick. */
const USER_HZ = 100;

/**
 * CPU seconds (user + system) of a process, and of its descendants that have
 * exited and were waited for (the kernel adds theirs to their parent's, and so
 * up to this process). Undefined when the process is gone.
 */
export function processCpuSeconds(pid: number): { readonly self: number; readonly reapedChildren: number } | undefined {
  const stat = readStat(pid);
  return stat && { self: (stat.utime + stat.stime) / USER_HZ, reapedChildren: (stat.cutime + stat.cstime) / USER_HZ };
}

function readStat(pid: number): { ppid: number; startTime: string; state: string; utime: number; stime: number; cutime: number; cstime: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) state ppid ... utime(14) stime cutime cstime ... starttime(22nd field) ..."; comm may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const field = (n: number): number => Number(fields[n - 3]);
    return { state: fields[0] ?? "", ppid: Number(fields[1]), startTime: fields[19] ?? "", utime: field(14), stime: field(15), cutime: field(16), cstime: field(17) };
  } catch {
    return undefined;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}

/** A JSON response: status and parsed body. */
export interface ApiResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
}

/** The HTTP API of a running service, with a bearer token. */
export class RollgateApi {
  constructor(
    private readonly baseUrl: () => string,
    private readonly token: string,
  ) {}

  /** One request; a GET whose reused connection was reset (a keep-alive race) is sent once more. */
  async request<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
    const send = () =>
      fetch(`${this.baseUrl()}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const response = await send().catch((error: unknown) => {
      const reset = (error as { cause?: { code?: string } }).cause?.code === "ECONNRESET";
      if (method !== "GET" || !reset) throw error;
      return send();
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  createPreview(body: Record<string, unknown>): Promise<ApiResponse<Accepted>> {
    return this.request<Accepted>("POST", "/api/v1/previews", body);
  }

  getPreview(pr: number): Promise<ApiResponse<Preview>> {
    return this.request<Preview>("GET", `/api/v1/previews/${pr}`);
  }

  deletePreview(pr: number): Promise<ApiResponse<Accepted>> {
    return this.request<Accepted>("DELETE", `/api/v1/previews/${pr}`);
  }

  getOperation(id: string): Promise<ApiResponse<OperationBody>> {
    return this.request<OperationBody>("GET", `/api/v1/operations/${id}`);
  }

  /**
   * Polls GET /api/v1/previews/:pr until `done` holds; throws with the last
   * answer on timeout. Each GET runs `pulumi stack ls` and `stack output`, so
   * prefer `settled`, which polls the in-memory operation, where its id is known.
   */
  async waitForPreview(
    pr: number,
    done: (response: ApiResponse<Preview>) => boolean,
    timeoutMs = 180_000,
  ): Promise<ApiResponse<Preview>> {
    const deadline = Date.now() + timeoutMs;
    let last: ApiResponse<Preview> | undefined;
    for (;;) {
      last = await this.getPreview(pr).catch(() => last);
      if (last && done(last)) return last;
      if (Date.now() > deadline) throw new Error(`preview ${pr} did not settle within ${timeoutMs} ms: ${JSON.stringify(last)}`);
      await sleep(1000);
    }
  }

  /** The engine events of a finished operation, from its server-sent event stream. */
  async events(operationId: string): Promise<{ type: string; timestamp: string; urn?: string; message?: string }[]> {
    const response = await fetch(`${this.baseUrl()}/api/v1/operations/${operationId}/events`, {
      headers: { authorization: `Bearer ${this.token}` },
    });
    return parseSse(await response.text())
      .filter((event) => event.event === "engine")
      .map((event) => event.data as { type: string; timestamp: string; urn?: string; message?: string });
  }

  /**
   * Where a finished operation's time went: waiting in the queue, the engine
   * (start → its summary event; includes the provider's own rollout wait) and
   * what follows (deployment wait, smoke checks, journal).
   */
  async phases(operationId: string): Promise<string> {
    const [{ body }, events] = await Promise.all([this.getOperation(operationId), this.events(operationId)]);
    const at = (iso: string | null | undefined): number => (iso ? Date.parse(iso) : Number.NaN);
    const summary = events.find((event) => event.type === "summary");
    const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;
    return [
      `queued ${seconds(at(body.startedAt) - at(body.queuedAt))}`,
      `engine ${seconds(at(summary?.timestamp) - at(body.startedAt))}`,
      `after engine ${seconds(at(body.finishedAt) - at(summary?.timestamp))}`,
      `total ${seconds(at(body.finishedAt) - at(body.startedAt))}`,
    ].join(", ");
  }

  /** Polls the operation until it has succeeded or failed. */
  async finished(operationId: string, timeoutMs = 180_000): Promise<OperationBody> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { status, body } = await this.getOperation(operationId);
      // A 503 (database or backend briefly unavailable) says to retry; anything else is an answer.
      if (status === 503 && Date.now() < deadline) {
        await sleep(1000);
        continue;
      }
      if (status !== 200) throw new Error(`GET operation ${operationId} answered ${status}: ${JSON.stringify(body)}`);
      if (body.status === "succeeded" || body.status === "failed") return body;
      if (Date.now() > deadline) throw new Error(`operation ${operationId} did not finish within ${timeoutMs} ms: ${JSON.stringify(body)}`);
      await sleep(200);
    }
  }

  /** The preview once operation `operationId` on it has finished. */
  async settled(pr: number, operationId: string, timeoutMs?: number): Promise<ApiResponse<Preview>> {
    await this.finished(operationId, timeoutMs);
    return this.getPreview(pr);
  }

  /** The answer to GET the preview once the destroy `operationId` has finished: 404 when it is gone. */
  async afterDestroy(pr: number, operationId: string, timeoutMs?: number): Promise<ApiResponse<Preview>> {
    await this.finished(operationId, timeoutMs);
    return this.getPreview(pr);
  }
}

/**
 * Teardown through the service while it runs: DELETE each preview that still
 * exists and wait for the destroy. Errors are swallowed; the backend clean-up
 * that follows catches whatever is left.
 */
export async function destroyThroughService(service: RollgateService | undefined, api: RollgateApi, prs: readonly number[]): Promise<void> {
  if (!service?.running) return;
  await Promise.all(
    prs.map(async (pr) => {
      const accepted = await api.deletePreview(pr).catch(() => undefined);
      if (accepted?.status === 202) await api.finished(accepted.body.operation.id).catch(() => undefined);
    }),
  );
}

export interface Accepted {
  readonly pr: number;
  readonly stack: string;
  readonly status: string;
  readonly operation: { readonly id: string; readonly kind: string; readonly status: string };
}

export interface Preview {
  readonly pr: number;
  readonly stack: string;
  readonly status: string;
  readonly url: string | null;
  readonly image: string | null;
  readonly commitSha: string | null;
  readonly branch: string | null;
  readonly createdAt: string | null;
  readonly expiresAt: string | null;
  readonly lastOperation: {
    readonly id: string;
    readonly kind: string;
    readonly status: string;
    readonly actor?: string;
    readonly error: string | null;
  } | null;
}

export interface OperationBody {
  readonly id: string;
  readonly kind: string;
  readonly stack: string;
  readonly status: string;
  readonly actor: string;
  readonly queuedAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly changes: Record<string, number> | null;
  readonly error: string | null;
  readonly attempts: number;
  readonly log: string[];
}
