import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

/**
 * Integration tests need the toolchain environment that `scripts/env.sh`
 * exports (`npm test` and `npm run test:integration` source it). Fail loudly
 * with the command that fixes a missing piece instead of skipping.
 */
export function requireToolchain(): void {
  const missing: string[] = [];
  for (const name of ["PULUMI_HOME", "PULUMI_BACKEND_URL", "KUBECONFIG"]) {
    if (!process.env[name]) missing.push(`environment variable ${name}`);
  }
  if (missing.length > 0) {
    throw new Error(
      `Integration tests need the project's toolchain environment (${missing.join(", ")} unset). ` +
        "Run them with `npm test` or `npm run test:integration`, which run `npm run setup` and source scripts/env.sh.",
    );
  }
  try {
    execFileSync("pulumi", ["version"], { stdio: "pipe" });
  } catch {
    throw new Error("The Pulumi CLI is not on PATH. Run `npm run setup` to build it from the Go module proxy.");
  }
  const plugins = execFileSync("pulumi", ["plugin", "ls"], { encoding: "utf8" });
  if (!/^kubernetes\s+resource/m.test(plugins)) {
    throw new Error("The kubernetes provider plugin is not installed. Run `npm run setup`.");
  }
}

export function kubeconfigPath(): string {
  const path = process.env.KUBECONFIG ?? "";
  if (!existsSync(path)) {
    throw new Error(`No kubeconfig at ${path}: start the local cluster with \`npm run cluster -- up\`.`);
  }
  return path;
}
