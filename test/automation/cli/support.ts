/** Runs the CLI in-process with captured output, and serves an app on a free port for it. */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Express } from "express";
import { runCli } from "../../../automation/cli/main";

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function cli(argv: string[], env: Record<string, string | undefined> = {}, pollIntervalMs = 2): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: { ROLLGATE_STATE_DIR: "/nonexistent-rollgate-state", ...env },
    pollIntervalMs,
  });
  return { code, stdout, stderr };
}

export interface Served {
  readonly url: string;
  close(): Promise<void>;
}

export async function serve(app: Express): Promise<Served> {
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
