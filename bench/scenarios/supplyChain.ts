/**
 * Supply-chain verification time (issue #15): the gate a release start runs — resolve the tag, list the referrers,
 * fetch and verify the signed SBOM and provenance bundles — against a real registry on loopback (the toolchain's
 * go-containerregistry build) holding an image signed with a real ECDSA key. Cold: a new gate and registry client
 * (no kept-alive connection), the first request to a freshly pushed image. Warm: the same gate verifying again.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { trustPolicyGate } from "../../automation/supplyChain/imageGate";
import { CYCLONEDX_PREDICATE } from "../../automation/supplyChain/sbomPolicy";
import { SLSA_V1_PREDICATE } from "../../automation/supplyChain/provenancePolicy";
import { fixture, newKey, signedBundle, statement, trustPolicyInput } from "../../test/automation/supplyChain/signing";
import { attachBundle, pushImage, startRegistry } from "../../test/support/ociRegistry";
import type { BenchContext } from "../lib/context";
import { progress } from "../lib/progress";

export async function supplyChainVerification(ctx: BenchContext): Promise<void> {
  const registry = await startRegistry();
  ctx.cleanup.defer("stop the OCI registry", () => registry.stop());
  const trustDir = mkdtempSync(join(tmpdir(), "rg-bench-trust-"));
  ctx.cleanup.defer("remove the trust policy directory", () => Promise.resolve(rmSync(trustDir, { recursive: true, force: true })));
  const key = newKey();
  writeFileSync(join(trustDir, "staging.trust.json"), JSON.stringify(trustPolicyInput("staging", key)));

  const cold: number[] = [];
  const warm: number[] = [];
  for (let run = 0; run < ctx.settings.runs; run++) {
    const tag = `bench-${process.pid}-${run}`;
    const digest = await pushImage(registry.host, "rollgate/sample-app", tag);
    await attachBundle(registry.host, "rollgate/sample-app", digest, signedBundle(key, statement(digest, CYCLONEDX_PREDICATE, fixture("cyclonedx-clean.json"))));
    await attachBundle(registry.host, "rollgate/sample-app", digest, signedBundle(key, statement(digest, SLSA_V1_PREDICATE, fixture("provenance-v1.json"))));
    const image = `${registry.host}/rollgate/sample-app:${tag}`;
    const gate = trustPolicyGate({ configDir: trustDir });
    cold.push(await timedVerification(gate, image));
    for (let repeat = 0; repeat < 3; repeat++) warm.push(await timedVerification(gate, image));
  }
  ctx.record("supplyChain.verifyCold", cold, "ms", { digits: 1 });
  ctx.record("supplyChain.verifyWarm", warm, "ms", { digits: 1 });
  progress(`supply chain: verification cold ${cold.map((ms) => ms.toFixed(0)).join(", ")} ms; warm ${warm.map((ms) => ms.toFixed(0)).join(", ")} ms`);
}

async function timedVerification(gate: ReturnType<typeof trustPolicyGate>, image: string): Promise<number> {
  const started = performance.now();
  const verdict = await gate.verify("staging", image);
  const elapsed = performance.now() - started;
  if (!verdict?.verified) throw new Error(`the benchmark image was not verified: ${verdict?.findings.join("; ") ?? "no trust policy"}`);
  return elapsed;
}
