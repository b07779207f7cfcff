import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import {
  ConcurrentUpdateError,
  LocalWorkspace,
  StackNotFoundError,
  type ConfigMap,
  type LocalWorkspaceOptions,
  type PulumiFn,
  type Stack,
} from "@pulumi/pulumi/automation";
import { toEngineEvent } from "./events";
import { KeyedSerializer } from "./keyedSerializer";
import { onlyStaleLocks } from "./staleLocks";
import { writePlainConfig } from "./stackConfigFile";
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
   * The directory holding every stack's `Pulumi.<stack>.yaml` (the project's
   * `stackConfigDir`), so the CLI can run the same stack with
   * `--config-file`. Defaults to each stack's workspace directory.
   */
  readonly stackConfigDir?: string;
  /** Where a stack's first config comes from when `stackConfigDir` has none yet (the repository's `stacks/`). */
  readonly seedConfigDir?: string;
}

/**
 * The only implementation of the StackEngine port: the Pulumi Automation API
 * with a workspace directory per stack and operations serialized per stack.
 */
export class LocalStackEngine implements StackEngine {
  private readonly serializer = new KeyedSerializer();
  private readonly projectName: string;
  /** Selected stacks, reused by later operations (each select is a CLI run). */
  private readonly stacks = new Map<string, Stack>();

  constructor(private readonly options: LocalStackEngineOptions) {
    this.projectName = options.projectName ?? "rollgate";
  }

  up(stackName: string, config: StackConfig, options: OperationOptions = {}): Promise<UpResult> {
    return this.serializer.run(stackName, async () => {
      const stack = await this.createOrSelect(stackName);
      await this.setConfig(stack, config);
      // The Automation API's `up` skips the preview (`--skip-preview`); a
      // mandatory policy violation would then fail only the violating resource,
      // after the others were changed. A preview with the same policy packs
      // first rejects the whole update before anything changes. A targeted
      // update needs no such guard: the packs validate each targeted resource
      // before it changes, and nothing else changes.
      if (this.options.policyPacks?.length && !options.targets?.length) {
        await withStaleLockRelease(stack, options.onOutput, () =>
          withCancel(stack, options.signal, () =>
            stack.preview({
              ...this.policyOptions(stackName),
              color: "never",
              target: options.targets ? [...options.targets] : undefined,
              targetDependents: options.targets ? true : undefined,
              onOutput: lines(options.onOutput),
            }),
          ),
        );
      }
      const result = await withStaleLockRelease(stack, options.onOutput, () =>
        withCancel(stack, options.signal, () =>
          stack.up({
            ...this.policyOptions(stackName),
            color: "never",
            target: options.targets ? [...options.targets] : undefined,
            targetDependents: options.targets ? true : undefined,
            onOutput: lines(options.onOutput),
            onEvent: options.onEvent ? (event) => options.onEvent?.(toEngineEvent(event)) : undefined,
          }),
        ),
      );
      const outputs = Object.fromEntries(Object.entries(result.outputs).map(([key, output]) => [key, output.value]));
      return { outputs, changes: (result.summary.resourceChanges ?? {}) as ChangeSummary };
    });
  }

  preview(stackName: string, config: StackConfig, options: OperationOptions = {}): Promise<PreviewResult> {
    return this.serializer.run(stackName, async () => {
      const stack = await this.createOrSelect(stackName);
      await this.setConfig(stack, config);
      const steps: Record<string, string> = {};
      const result = await withCancel(stack, options.signal, () =>
        stack.preview({
          ...this.policyOptions(stackName),
          color: "never",
          onOutput: lines(options.onOutput),
          onEvent: (event) => {
            const pre = event.resourcePreEvent?.metadata;
            if (pre && pre.op !== "same") steps[pre.urn] = pre.op;
            options.onEvent?.(toEngineEvent(event));
          },
        }),
      );
      return { changes: result.changeSummary as ChangeSummary, steps };
    });
  }

  destroy(stackName: string, options: OperationOptions = {}): Promise<void> {
    return this.serializer.run(stackName, async () => {
      const stack = await this.select(stackName);
      if (!stack) return;
      await withStaleLockRelease(stack, options.onOutput, () =>
        withCancel(stack, options.signal, () =>
          stack.destroy({
            color: "never",
            onOutput: lines(options.onOutput),
            onEvent: options.onEvent ? (event) => options.onEvent?.(toEngineEvent(event)) : undefined,
          }),
        ),
      );
      await withStaleLockRelease(stack, options.onOutput, () => stack.workspace.removeStack(stackName));
      this.stacks.delete(stackName);
    });
  }

  async outputs(stackName: string): Promise<Record<string, unknown>> {
    const stack = await this.selectExisting(stackName);
    const outputs = await stack.outputs();
    return Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, output.value]));
  }

  async config(stackName: string): Promise<Record<string, string>> {
    const stack = await this.selectExisting(stackName);
    const config = await stack.getAllConfig();
    return Object.fromEntries(Object.entries(config).map(([key, value]) => [key, value.secret ? "[secret]" : value.value]));
  }

  async list(): Promise<StackSummary[]> {
    const workspace = await LocalWorkspace.create(this.workspaceOptions(join(this.options.workspacesDir, "_list")));
    const stacks = await workspace.listStacks();
    return stacks.map((stack) => ({
      name: stack.name,
      lastUpdate: stack.lastUpdate,
      updateInProgress: stack.updateInProgress ?? false,
      resourceCount: stack.resourceCount,
    }));
  }

  recover(stackName: string): Promise<void> {
    return this.serializer.run(stackName, async () => {
      const stack = await this.select(stackName);
      if (!stack) return;
      const state = await stack.exportStack();
      const deployment = state.deployment as { pending_operations?: unknown[] } | undefined;
      if (deployment?.pending_operations?.length) {
        deployment.pending_operations = [];
        await withStaleLockRelease(stack, undefined, () => stack.importStack(state));
      }
    });
  }

  private async createOrSelect(stackName: string): Promise<Stack> {
    const known = this.stacks.get(stackName);
    if (known) return known;
    this.seedConfig(stackName);
    const stack = await LocalWorkspace.createOrSelectStack(
      { stackName, projectName: this.projectName, program: this.options.program },
      this.workspaceOptions(this.workspaceDir(stackName)),
    );
    this.stacks.set(stackName, stack);
    return stack;
  }

  /** Selects a stack, throwing the SDK's StackNotFoundError when it does not exist. */
  private async selectExisting(stackName: string): Promise<Stack> {
    const known = this.stacks.get(stackName);
    if (known) return known;
    this.seedConfig(stackName);
    const stack = await LocalWorkspace.selectStack(
      { stackName, projectName: this.projectName, program: this.options.program },
      this.workspaceOptions(this.workspaceDir(stackName)),
    );
    this.stacks.set(stackName, stack);
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
    const directory = this.options.stackConfigDir ?? this.workspaceDir(stack.name);
    // As the CLI does, a key without a namespace belongs to the project.
    const values = entries.map(([key, entry]) => [key.includes(":") ? key : `${this.projectName}:${key}`, entry.value]);
    writePlainConfig(join(directory, `Pulumi.${stack.name}.yaml`), Object.fromEntries(values));
  }

  /** Copies the stack's config from the seed directory the first time the stack is used. */
  private seedConfig(stackName: string): void {
    const { stackConfigDir, seedConfigDir } = this.options;
    if (!stackConfigDir || !seedConfigDir) return;
    const file = `Pulumi.${stackName}.yaml`;
    const seed = join(seedConfigDir, file);
    const target = join(stackConfigDir, file);
    if (existsSync(target) || !existsSync(seed)) return;
    mkdirSync(stackConfigDir, { recursive: true });
    copyFileSync(seed, target);
  }

  private async select(stackName: string): Promise<Stack | undefined> {
    try {
      return await this.selectExisting(stackName);
    } catch (error) {
      if (error instanceof StackNotFoundError) return undefined;
      throw error;
    }
  }

  private workspaceDir(stackName: string): string {
    return join(this.options.workspacesDir, stackName);
  }

  private workspaceOptions(workDir: string): LocalWorkspaceOptions {
    mkdirSync(workDir, { recursive: true });
    const configDir = this.options.stackConfigDir;
    if (configDir) mkdirSync(configDir, { recursive: true });
    return {
      workDir,
      secretsProvider: "passphrase",
      projectSettings: {
        name: this.projectName,
        runtime: "nodejs",
        ...(configDir ? { stackConfigDir: relative(workDir, resolve(configDir)) } : {}),
      },
    };
  }

  private policyOptions(stackName: string): { policyPacks?: string[]; policyPackConfigs?: string[] } {
    const packs = this.options.policyPacks?.map((pack) => resolve(pack));
    if (!packs?.length) return {};
    const config = this.options.policyPackConfig?.(stackName);
    return { policyPacks: packs, policyPackConfigs: config ? packs.map(() => config) : undefined };
  }
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

/**
 * Runs an operation that takes the stack's lock. When it fails only because
 * of locks left by processes of this host that no longer run (a crash), the
 * locks are released (`pulumi cancel`) and the operation runs once more.
 */
async function withStaleLockRelease<T>(
  stack: Stack,
  onOutput: ((line: string) => void) | undefined,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof ConcurrentUpdateError) || !onlyStaleLocks(err.message)) throw err;
    onOutput?.(`releasing the lock a crashed process left on ${stack.name} and retrying`);
    await stack.cancel();
    return run();
  }
}

async function withCancel<T>(stack: Stack, signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
  if (!signal) return run();
  const cancel = () => void stack.cancel().catch(() => undefined);
  signal.addEventListener("abort", cancel, { once: true });
  try {
    return await run();
  } finally {
    signal.removeEventListener("abort", cancel);
  }
}
