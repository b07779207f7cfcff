/** After a successful `up`: wait for the Deployment, then run the smoke checks. */
import type { DeploymentWaiter, SmokeCheck, SmokeChecker, SmokeResult } from "../../deps";
import { messageOf } from "../../errors";
import { prOfStack } from "./naming";
import { deploymentNameOf, type PreviewOutputs } from "./spec";

export interface VerifyContext {
  readonly signal: AbortSignal;
  log(line: string): void;
}

export class PreviewVerifier {
  constructor(
    private readonly waitForDeployment: DeploymentWaiter,
    private readonly smokeChecker: SmokeChecker,
    private readonly smokeChecks: readonly SmokeCheck[],
    /** Replaces the preview's `url` output as the smoke checks' base; `{pr}` becomes the PR number. */
    private readonly smokeBaseUrl?: string,
  ) {}

  async verify(stack: string, outputs: PreviewOutputs, context: VerifyContext): Promise<SmokeResult> {
    const name = deploymentNameOf(outputs);
    if (!outputs.namespace || !name) {
      return { ok: false, reason: `the stack ${stack} has no \`namespace\` or \`app\`/\`deploymentName\` output` };
    }
    context.log(`waiting for deployment ${outputs.namespace}/${name}`);
    try {
      await this.waitForDeployment(outputs.namespace, name, { signal: context.signal });
    } catch (err) {
      return { ok: false, reason: `deployment ${outputs.namespace}/${name} did not become ready: ${messageOf(err)}` };
    }
    context.log(`deployment ${outputs.namespace}/${name} is ready`);
    if (this.smokeChecks.length === 0) return { ok: true };
    const baseUrl = this.smokeBaseUrl?.replaceAll("{pr}", String(prOfStack(stack) ?? outputs.pr ?? "")) ?? outputs.url;
    if (!baseUrl) return { ok: false, reason: "the stack has no `url` output to run smoke checks against" };
    context.log(`running ${this.smokeChecks.length} smoke check(s) against ${baseUrl}`);
    const result = await this.smokeChecker.check(baseUrl, this.smokeChecks, { signal: context.signal });
    context.log(result.ok ? "smoke checks passed" : `smoke checks failed: ${result.reason}`);
    return result;
  }
}
