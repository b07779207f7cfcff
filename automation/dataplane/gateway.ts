/**
 * The local gateway: Debian's nginx, configured from the live routes
 * (`nginxConfig.ts`) and reloaded gracefully (SIGHUP: new workers take the
 * new config, old ones finish their requests) whenever the routes change.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../deps";
import { stopChild } from "./stopChild";
import { renderNginxConfig, type GatewaySettings } from "./nginxConfig";
import type { Route } from "./topology";

export class NginxGateway {
  private child?: ChildProcess;
  private written = "";

  constructor(
    private readonly settings: GatewaySettings,
    private readonly logger: Logger,
  ) {}

  get configFile(): string {
    return join(this.settings.dir, "nginx.conf");
  }

  get accessLog(): string {
    return join(this.settings.dir, "access.log");
  }

  /** Writes the config for `routes` and starts nginx, or reloads it when the config changed. */
  async apply(routes: readonly Route[], ports: ReadonlyMap<string, number>): Promise<boolean> {
    const config = renderNginxConfig(routes, ports, this.settings);
    if (config === this.written && this.child?.exitCode === null) return false;
    for (const temp of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(join(this.settings.dir, "tmp", temp), { recursive: true });
    writeFileSync(this.configFile, config);
    const test = spawnSync("nginx", this.args("-t"), { encoding: "utf8" });
    if (test.status !== 0) throw new Error(`nginx refused the generated config: ${test.stderr.trim().slice(0, 1000)}`);
    this.written = config;
    if (this.child && this.child.exitCode === null) {
      this.child.kill("SIGHUP");
      this.logger.info({ routes: routes.length }, "gateway reloaded with the live routes");
      return true;
    }
    await this.start();
    return true;
  }

  stop(): Promise<void> {
    return stopChild(this.child, "SIGQUIT");
  }

  private args(...extra: string[]): string[] {
    return ["-e", "stderr", "-p", this.settings.dir, "-c", this.configFile, ...extra];
  }

  private async start(): Promise<void> {
    const child = spawn("nginx", this.args(), { stdio: ["ignore", "ignore", "pipe"] });
    child.stderr?.on("data", (chunk: Buffer) => this.logger.warn({ output: chunk.toString("utf8").trim().slice(0, 500) }, "nginx"));
    child.once("exit", (code) => this.logger.warn({ code }, "nginx exited"));
    await new Promise<void>((resolve, reject) => {
      child.once("error", (error) => reject(new Error(`cannot start nginx (${error.message}): run \`npm run setup\` to install Debian's nginx-light`)));
      child.once("spawn", () => resolve());
    });
    this.child = child;
    this.logger.info({ port: this.settings.port }, "gateway started");
  }
}
