/**
 * The `pulumi` CLI against the benchmark's environment stack: the repo's
 * project and program (`Pulumi.yaml`, `infra/index.ts`), the stack's config
 * file in the service's stack config directory (`--config-file`), and the
 * benchmark's own backend (PULUMI_BACKEND_URL in the environment, unless
 * another is given).
 */
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export class PulumiCli {
  constructor(
    private readonly repoRoot: string,
    readonly stack: string,
    readonly configFile: string,
    private readonly scratchDir: string,
    /** The CLI's environment: the benchmark's by default; another `PULUMI_BACKEND_URL` for the backends scenario. */
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** `pulumi <args>` from the repo root, non-interactive; rejects with stderr on failure. */
  async run(args: readonly string[], cwd = this.repoRoot): Promise<string> {
    try {
      const { stdout } = await run("pulumi", [...args, "--non-interactive", "--color", "never"], {
        cwd,
        maxBuffer: 64 * 1024 * 1024,
        env: this.env,
      });
      return stdout;
    } catch (error) {
      const failed = error as Error & { stderr?: string; stdout?: string };
      const tail = `${failed.stdout ?? ""}\n${failed.stderr ?? ""}`.trim().split("\n").slice(-15).join("\n");
      throw new Error(`pulumi ${args.join(" ")} failed:\n${tail}`);
    }
  }

  /**
   * Creates the stack with the passphrase secrets provider from a scratch
   * project directory (`stack init` takes no `--config-file`, and must not
   * write into the repo's `stacks/`). Returns the stack config file it wrote,
   * which holds the stack's `encryptionsalt`.
   */
  async init(): Promise<string> {
    const project = join(this.scratchDir, "init-project");
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, "Pulumi.yaml"), "name: rollgate\nruntime: nodejs\n");
    await this.run(["stack", "init", this.stack, "--secrets-provider", "passphrase", "--no-select"], project);
    return join(project, `Pulumi.${this.stack}.yaml`);
  }

  private stackArgs(): string[] {
    return ["--stack", this.stack, "--config-file", this.configFile];
  }

  configSet(key: string, value: string): Promise<string> {
    return this.run(["config", "set", key, value, ...this.stackArgs()]);
  }

  configRm(key: string): Promise<string> {
    return this.run(["config", "rm", key, ...this.stackArgs()]);
  }

  /** `pulumi up --yes --skip-preview`, plus any extra flags (policy packs for the profile). */
  up(extra: readonly string[] = []): Promise<string> {
    return this.run(["up", "--yes", "--skip-preview", ...this.stackArgs(), ...extra]);
  }

  preview(extra: readonly string[] = []): Promise<string> {
    return this.run(["preview", ...this.stackArgs(), ...extra]);
  }

  destroy(): Promise<string> {
    return this.run(["destroy", "--yes", "--skip-preview", ...this.stackArgs()]);
  }

  /** Releases the stack's lock after an interrupted update. */
  async cancel(): Promise<void> {
    await this.run(["cancel", "--yes", "--stack", this.stack], join(this.scratchDir, "init-project"));
  }

  /** Removes the stack (after `destroy`, or forced when the destroy failed). */
  async remove(force = false): Promise<void> {
    await this.run(["stack", "rm", this.stack, "--yes", ...(force ? ["--force"] : [])], join(this.scratchDir, "init-project"));
  }
}
