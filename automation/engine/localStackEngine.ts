import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import {
  ConcurrentUpdateError,
  LocalWorkspace,
  PulumiCommand,
  StackAlreadyExistsError,
  StackNotFoundError,
  type ConfigMap,
  type LocalWorkspaceOptions,
  type OutputMap,
  type PulumiFn,
  type Stack,
} from "@pulumi/pulumi/automation";
import { BackendUnavailableError } from "../errors";
import { urnsToRefresh, type PendingOperation } from "./pendingOperations";
import { NoSuchStackError, StackBusyError, StackExistsError } from "./errors";
import { LeaseLostError } from "../store/leases";
import { toEngineEvent } from "./events";
import { UpdateRecord, withoutResultReads } from "./updateRecord";
import { nodeCompileCacheEnv } from "./nodeCompileCache";
import { ConcurrencyLimit } from "../support/concurrencyLimit";
import { KeyedSerializer } from "../support/keyedSerializer";
import { onlyStaleLocks } from "./staleLocks";
import { configValues, withPlainConfig } from "./stackConfigFile";
import type { StackConfigStore } from "./stackConfigStore";
import { processLocalGuard, type GuardedStack, type StackGuard } from "./stackGuard";
import type {
  ChangeSummary,
  OperationOptions,
  PreviewResult,
  StackConfig,
  StackEngine,
  StackSummary,
  UpResult,
} from "./port";

export interface LocalStackEngineOptions {
  /** The inline program every stack runs (the same one `pulumi up` runs). */
  readonly program: PulumiFn;
  readonly projectName?: string;
  /** Each stack gets its own workspace directory below this one. */
  readonly workspacesDir: string;
  /** Policy pack directories passed to every preview and update. */
  readonly policyPacks?: readonly string[];
  /** Policy config file per stack, e.g. from the stack's environment kind. */
  readonly policyPackConfig?: (stack: string) => string | undefined;
  /**
   * Where every stack's settings file (`Pulumi.<stack>.yaml`) is kept, shared
   * by every replica: materialized into the stack's workspace before each run
   * and written back when the run changed it. Without it the workspace's file
   * is the only copy.
   */
  readonly configStore?: StackConfigStore;
  /** Where a stack's first config comes from when it has none yet (the repository's `stacks/`). */
  readonly seedConfigDir?: string;
  /** Makes each stack's Pulumi runs exclusive across replicas (the stack's lease); process-local without it. */
  readonly guard?: StackGuard;
  /** Environment of every CLI run on top of this process's (e.g. `PULUMI_BACKEND_URL`). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Where the Node processes of the engine's runs (each policy pack, a
   * program the CLI starts) keep V8's compiled code between runs
   * (`NODE_COMPILE_CACHE`; what it saves and its limits: nodeCompileCache.ts).
   * Node's own settings win: a `NODE_COMPILE_CACHE` or
   * `NODE_DISABLE_COMPILE_CACHE` in this process's environment or in `env`.
   */
  readonly nodeCompileCacheDir?: string;
}

/**
 * The only implementation of the StackEngine port: the Pulumi Automation API
 * with a workspace directory per stack, operations serialized per stack in
 * this process and, through the guard, across replicas.
 */
export class LocalStackEngine implements StackEngine {
  private readonly serializer = new KeyedSerializer();
  private readonly projectName: string;
  private readonly guard: StackGuard;
  /** Selected stacks, reused by later operations (each select is a CLI run). */
  /** Stacks this process selected, with the stack-lease tenure it last used each under (undefined: selected only to read). */
  private readonly stacks = new Map<string, { readonly stack: Stack; token?: number }>();
  /** The settings file each stack's workspace holds, as last synchronized with the store. */
  private readonly syncedConfig = new Map<string, string>();
  /**
   * Two output reads (CLI runs) at once: listing many previews reads every
   * stack's outputs, and unbounded that is a burst of CLI processes that
   * starves the updates running beside it.
   */
  private readonly outputReads = new ConcurrencyLimit(2);
  /** The CLI, found once: a workspace given none runs `pulumi version` first (a CLI start per list and per new stack). */
  private cli: Promise<PulumiCommand> | undefined;

  constructor(private readonly options: LocalStackEngineOptions) {
    this.projectName = options.projectName ?? "rollgate";
    this.guard = options.guard ?? processLocalGuard;
  }

  up(stackName: string, config: StackConfig, options: OperationOptions = {}): Promise<UpResult> {
    return this.exclusive(stackName, options.signal, async (held, signal) => {
      const record = new UpdateRecord();
      const stack = await this.prepare(stackName, config, held);
      // The Automation API's `up` skips the preview (`--skip-preview`); a
      // mandatory policy violation would then fail only the violating resource,
      // after the others were changed. A preview with the same policy packs
      // first rejects the whole update before anything changes. A targeted
      // update needs no such guard: the packs validate each targeted resource
      // before it changes, and nothing else changes.
      if (this.options.policyPacks?.length && !options.targets?.length) {
        await this.withStaleLockRelease(stack, held, options.onOutput, () =>
          stack.preview({ ...this.policyOptions(stackName), color: "never", onOutput: lines(options.onOutput), signal }),
        );
      }
      record.runStarting();
      await this.withStaleLockRelease(stack, held, options.onOutput, () =>
        withoutResultReads(stack).up({
          ...this.policyOptions(stackName),
          color: "never",
          target: options.targets ? [...options.targets] : undefined,
          targetDependents: options.targets ? true : undefined,
          onOutput: lines(options.onOutput),
          onEvent: (event) => {
            record.observe(event);
            options.onEvent?.(toEngineEvent(event));
          },
          signal,
        }),
      );
      return {
        outputs: record.outputs() ?? outputValues(await stack.outputs()),
        changes: record.changes() ?? (((await stack.info())?.resourceChanges ?? {}) as ChangeSummary),
        phases: record.phases(),
      };
    });
  }

  preview(stackName: string, config: StackConfig, options: OperationOptions = {}): Promise<PreviewResult> {
    return this.exclusive(stackName, options.signal, async (held, signal) => {
      await this.syncConfigIn(stackName);
      const stack = await this.createOrSelect(stackName, held);
      // A new stack's settings file holds its secrets salt: that much is kept, `config` is not.
      await this.syncConfigOut(stackName, held);
      return this.withTransientConfig(stack, config, () => this.previewSteps(stack, options, signal));
    });
  }

  private async previewSteps(stack: Stack, options: OperationOptions, signal: AbortSignal | undefined): Promise<PreviewResult> {
    const steps: Record<string, string> = {};
    const result = await stack.preview({
      ...this.policyOptions(stack.name),
      color: "never",
      onOutput: lines(options.onOutput),
      onEvent: (event) => {
        const pre = event.resourcePreEvent?.metadata;
        if (pre && pre.op !== "same") steps[pre.urn] = pre.op;
        options.onEvent?.(toEngineEvent(event));
      },
      signal,
    });
    return { changes: result.changeSummary as ChangeSummary, steps };
  }

  /** Runs `operation` with `config` set in the stack's workspace, then puts the settings file back as it was. */
  private async withTransientConfig<T>(stack: Stack, config: StackConfig, operation: () => Promise<T>): Promise<T> {
    const file = this.configFile(stack.name);
    const before = readIfPresent(file);
    try {
      await this.setConfig(stack, config);
      return await operation();
    } finally {
      if (before === undefined) rmSync(file, { force: true });
      else writeAtomically(file, before);
    }
  }

  destroy(stackName: string, options: OperationOptions = {}): Promise<void> {
    return this.exclusive(stackName, options.signal, async (held, signal) => {
      await this.syncConfigIn(stackName);
      const stack = await this.select(stackName, held);
      if (stack) {
        await this.withStaleLockRelease(stack, held, options.onOutput, () =>
          withoutResultReads(stack).destroy({
            color: "never",
            onOutput: lines(options.onOutput),
            onEvent: options.onEvent ? (event) => options.onEvent?.(toEngineEvent(event)) : undefined,
            signal,
          }),
        );
        await this.withStaleLockRelease(stack, held, options.onOutput, () => stack.workspace.removeStack(stackName));
      }
      this.stacks.delete(stackName);
      await this.forgetConfig(stackName, held);
    });
  }

  outputs(stackName: string): Promise<Record<string, unknown>> {
    return this.outputReads.run(async () => {
      const stack = await portErrors(stackName, () => this.selectExisting(stackName));
      return outputValues(await portErrors(stackName, () => stack.outputs()));
    });
  }

  /** The stack's config values (secrets as `[secret]`), read from the store without a CLI run. */
  async config(stackName: string): Promise<Record<string, string>> {
    await portErrors(stackName, () => this.selectExisting(stackName));
    if (!this.options.configStore) this.seedWorkspace(stackName);
    const stored = await this.options.configStore?.load(stackName);
    return configValues(stored?.content ?? readIfPresent(this.configFile(stackName)), `the config of stack ${stackName}`);
  }

  async list(): Promise<StackSummary[]> {
    const workspace = await LocalWorkspace.create(await this.workspaceOptions(join(this.options.workspacesDir, "_list")));
    const stacks = await portErrors(undefined, () => workspace.listStacks());
    return stacks.map((stack) => ({
      name: stack.name,
      lastUpdate: stack.lastUpdate,
      updateInProgress: stack.updateInProgress ?? false,
      resourceCount: stack.resourceCount,
    }));
  }

  recover(stackName: string): Promise<void> {
    return this.exclusive(stackName, undefined, async (held, signal) => {
      await this.syncConfigIn(stackName);
      const stack = await this.select(stackName);
      if (!stack) return;
      const state = await stack.exportStack();
      const deployment = state.deployment as { pending_operations?: PendingOperation[] } | undefined;
      const pending = deployment?.pending_operations ?? [];
      if (!deployment || pending.length === 0) return;
      deployment.pending_operations = [];
      await this.withStaleLockRelease(stack, held, undefined, () => stack.importStack(state));
      // The crashed run may have changed these unrecorded: the next update must diff against what is live.
      const interrupted = urnsToRefresh(pending);
      if (interrupted.length > 0) {
        await this.withStaleLockRelease(stack, held, undefined, () => withoutResultReads(stack).refresh({ color: "never", target: interrupted, ...(signal ? { signal } : {}) }));
      }
    });
  }

  /** Runs `work` alone on the stack: after this process's earlier work on it, holding its lease across replicas. */
  private exclusive<T>(stackName: string, signal: AbortSignal | undefined, work: (held: GuardedStack, signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    return this.serializer.run(stackName, () =>
      portErrors(stackName, () =>
        this.guard.run(
          stackName,
          async (held) => {
            try {
              return await work(held, combine(signal, held.signal));
            } catch (error) {
              // Interrupted because exclusivity was lost, not because the operation failed.
              if (held.signal?.aborted && !signal?.aborted) throw new LeaseLostError(held.lease?.name ?? `stack:${stackName}`, "it could not be kept while Pulumi ran; the run was interrupted");
              throw error;
            }
          },
          signal,
        ),
      ),
    );
  }

  /** The stack, created if needed, with its config from the store plus `config`; the result written back. */
  private async prepare(stackName: string, config: StackConfig, held: GuardedStack): Promise<Stack> {
    await this.syncConfigIn(stackName);
    const stack = await this.createOrSelect(stackName, held);
    await this.setConfig(stack, config);
    // `stack init` writes the secrets salt into the file, and `config` may have changed it.
    await this.syncConfigOut(stackName, held);
    return stack;
  }

  /** Makes the workspace's settings file the stored one (or the seed, for a stack with none yet). */
  private async syncConfigIn(stackName: string): Promise<void> {
    const store = this.options.configStore;
    if (!store) {
      this.seedWorkspace(stackName);
      return;
    }
    const file = this.configFile(stackName);
    const stored = await store.load(stackName);
    if (stored) {
      if (readIfPresent(file) !== stored.content) writeAtomically(file, stored.content);
      this.syncedConfig.set(stackName, stored.content);
      return;
    }
    // The store is the source of truth: a file left by an earlier stack of this name does not count.
    rmSync(file, { force: true });
    this.syncedConfig.delete(stackName);
    this.seedWorkspace(stackName);
  }

  private async syncConfigOut(stackName: string, held: GuardedStack): Promise<void> {
    const store = this.options.configStore;
    const content = readIfPresent(this.configFile(stackName));
    if (!store || content === undefined || content === this.syncedConfig.get(stackName)) return;
    await store.save(stackName, content, held.lease);
    this.syncedConfig.set(stackName, content);
  }

  private async forgetConfig(stackName: string, held: GuardedStack): Promise<void> {
    rmSync(this.configFile(stackName), { force: true });
    this.syncedConfig.delete(stackName);
    await this.options.configStore?.remove(stackName, held.lease);
  }

  /** Copies the repository's config for the stack into its workspace when the workspace has none. */
  private seedWorkspace(stackName: string): void {
    const seedDir = this.options.seedConfigDir;
    const file = this.configFile(stackName);
    if (!seedDir || existsSync(file)) return;
    const seed = readIfPresent(join(seedDir, `Pulumi.${stackName}.yaml`));
    if (seed !== undefined) writeAtomically(file, seed);
  }

  private async createOrSelect(stackName: string, held: GuardedStack): Promise<Stack> {
    const known = await this.cachedFor(stackName, held);
    const stack =
      known ??
      (await LocalWorkspace.createOrSelectStack(
        { stackName, projectName: this.projectName, program: this.options.program },
        await this.workspaceOptions(this.workspaceDir(stackName)),
      ));
    this.stacks.set(stackName, { stack, ...(held.lease ? { token: held.lease.token } : {}) });
    return stack;
  }

  /**
   * The stack selected earlier, if it can be trusted under the lease held now:
   * another replica that held the lease since (and destroyed or recreated the
   * stack) makes this process's selection stale.
   */
  private async cachedFor(stackName: string, held: GuardedStack): Promise<Stack | undefined> {
    const known = this.stacks.get(stackName);
    if (!known || !held.lease || !held.tenure) return known?.stack;
    if (known.token !== undefined && !(await held.tenure.heldSince(known.token))) return known.stack;
    this.stacks.delete(stackName);
    return undefined;
  }

  /** Selects a stack, throwing the SDK's StackNotFoundError when it does not exist. */
  private async selectExisting(stackName: string, held?: GuardedStack): Promise<Stack> {
    const known = held ? await this.cachedFor(stackName, held) : this.stacks.get(stackName)?.stack;
    if (known) {
      if (held?.lease) this.stacks.set(stackName, { stack: known, token: held.lease.token });
      return known;
    }
    const stack = await LocalWorkspace.selectStack(
      { stackName, projectName: this.projectName, program: this.options.program },
      await this.workspaceOptions(this.workspaceDir(stackName)),
    );
    this.stacks.set(stackName, { stack, ...(held?.lease ? { token: held.lease.token } : {}) });
    return stack;
  }

  /** Plain values go straight into the stack's settings file; secrets through the CLI, which encrypts them. */
  private async setConfig(stack: Stack, config: StackConfig): Promise<void> {
    const entries = Object.entries(config);
    if (entries.length === 0) return;
    if (entries.some(([, entry]) => entry.secret)) {
      await stack.setAllConfig(toConfigMap(config));
      return;
    }
    // As the CLI does, a key without a namespace belongs to the project.
    const values = Object.fromEntries(entries.map(([key, entry]) => [key.includes(":") ? key : `${this.projectName}:${key}`, entry.value]));
    const file = this.configFile(stack.name);
    writeAtomically(file, withPlainConfig(readIfPresent(file), values, file));
  }

  private async select(stackName: string, held?: GuardedStack): Promise<Stack | undefined> {
    try {
      return await this.selectExisting(stackName, held);
    } catch (error) {
      if (error instanceof StackNotFoundError) return undefined;
      throw error;
    }
  }

  /**
   * Runs an operation that takes the stack's Pulumi lock. When it fails only
   * because of locks an earlier holder of the stack's lease left (a crashed
   * replica), the locks are released (`pulumi cancel`) and the operation runs
   * once more.
   */
  private async withStaleLockRelease<T>(stack: Stack, held: GuardedStack, onOutput: ((line: string) => void) | undefined, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof ConcurrentUpdateError) || !held.tenure || !(await onlyStaleLocks(err.message, held.tenure))) throw err;
      onOutput?.(`releasing the lock the previous holder of ${stack.name} left and retrying`);
      await stack.cancel();
      return run();
    }
  }

  private workspaceDir(stackName: string): string {
    return join(this.options.workspacesDir, stackName);
  }

  private configFile(stackName: string): string {
    return join(this.workspaceDir(stackName), `Pulumi.${stackName}.yaml`);
  }

  private async workspaceOptions(workDir: string): Promise<LocalWorkspaceOptions> {
    mkdirSync(workDir, { recursive: true });
    return {
      workDir,
      pulumiCommand: await this.pulumiCommand(),
      envVars: { ...nodeCompileCacheEnv(this.options.nodeCompileCacheDir, { ...process.env, ...this.options.env }), ...this.options.env },
      secretsProvider: "passphrase",
      projectSettings: { name: this.projectName, runtime: "nodejs" },
    };
  }

  private pulumiCommand(): Promise<PulumiCommand> {
    this.cli ??= PulumiCommand.get().catch((error: unknown) => {
      this.cli = undefined;
      throw error;
    });
    return this.cli;
  }

  private policyOptions(stackName: string): { policyPacks?: string[]; policyPackConfigs?: string[] } {
    const packs = this.options.policyPacks?.map((pack) => resolve(pack));
    if (!packs?.length) return {};
    const config = this.options.policyPackConfig?.(stackName);
    return { policyPacks: packs, policyPackConfigs: config ? packs.map(() => config) : undefined };
  }
}

/** What the CLI says when its `postgres://` backend cannot be reached (lib/pq and Pulumi's bucket driver). */
const backendDown = /failed to (ping|connect to) PostgreSQL|pq: the database system is|driver: bad connection/;

/**
 * Runs `run`, translating the SDK's errors into the port's, once, where the
 * engine is left: a missing or busy stack, and "the state backend is
 * unreachable" (`BackendUnavailableError`: a 503, a retry for releases).
 */
async function portErrors<T>(stack: string | undefined, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (stack !== undefined && error instanceof StackNotFoundError) throw new NoSuchStackError(stack, { cause: error });
    if (stack !== undefined && error instanceof StackAlreadyExistsError) throw new StackExistsError(stack, { cause: error });
    if (stack !== undefined && error instanceof ConcurrentUpdateError) throw new StackBusyError(stack, { cause: error });
    if (error instanceof Error && !(error instanceof BackendUnavailableError) && backendDown.test(error.message)) {
      throw new BackendUnavailableError(backendDown.exec(error.message)?.[0] ?? "unreachable");
    }
    throw error;
  }
}

function outputValues(outputs: OutputMap): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, output.value]));
}

function toConfigMap(config: StackConfig): ConfigMap {
  return Object.fromEntries(
    Object.entries(config).map(([key, entry]) => [key, { value: entry.value, secret: entry.secret ?? false }]),
  );
}

function lines(onOutput?: (line: string) => void): ((chunk: string) => void) | undefined {
  if (!onOutput) return undefined;
  return (chunk) => {
    for (const line of chunk.split("\n")) if (line.trim()) onOutput(line);
  };
}

/** Aborted when either is; the CLI gets SIGINT and releases its own lock. */
function combine(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  if (!a) return b;
  if (!b) return a;
  return AbortSignal.any([a, b]);
}

function readIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Written beside and renamed over the file, so a crash never leaves it half written. */
function writeAtomically(file: string, content: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${randomUUID()}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, file);
}
