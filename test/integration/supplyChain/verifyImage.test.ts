/**
 * The supply-chain gate as a pipeline step against a real OCI registry: `verify-image.ts` passes a signed image with
 * its attestations, refuses an unsigned one (exit 1) and says when the registry is down (exit 5); `deploy.sh` with
 * ROLLGATE_TRUST_POLICY_DIR refuses an unsigned ROLLGATE_IMAGE before `pulumi up` runs.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SLSA_V1_PREDICATE } from "../../../automation/supplyChain/provenancePolicy";
import { CYCLONEDX_PREDICATE } from "../../../automation/supplyChain/sbomPolicy";
import { verifyImage } from "../../../scripts/pipeline/verify-image";
import { fixture, newKey, signedBundle, statement, trustPolicyInput } from "../../automation/supplyChain/signing";
import { attachBundle, pushImage, startRegistry, type LocalRegistry } from "../../support/ociRegistry";
import { repoRoot } from "../../support/rollgateService";

const ci = newKey();

async function run(argv: string[]) {
  const out = { stdout: "", stderr: "" };
  const code = await verifyImage(argv, { stdout: { write: (text: string) => (out.stdout += text) }, stderr: { write: (text: string) => (out.stderr += text) } });
  return { code, ...out };
}

describe("verify-image.ts and deploy.sh against a real registry", () => {
  let registry: LocalRegistry;
  const trustDir = mkdtempSync(join(tmpdir(), "rg-trust-"));

  beforeAll(async () => {
    registry = await startRegistry();
    const digest = await pushImage(registry.host, "rollgate/app", "1.0.0");
    await attachBundle(registry.host, "rollgate/app", digest, signedBundle(ci, statement(digest, CYCLONEDX_PREDICATE, fixture("cyclonedx-clean.json"))));
    await attachBundle(registry.host, "rollgate/app", digest, signedBundle(ci, statement(digest, SLSA_V1_PREDICATE, fixture("provenance-v1.json"))));
    await pushImage(registry.host, "rollgate/app", "1.0.0-unsigned");
    writeFileSync(join(trustDir, "staging.trust.json"), JSON.stringify(trustPolicyInput("staging", ci)));
  });

  afterAll(async () => {
    await registry?.stop();
    rmSync(trustDir, { recursive: true, force: true });
  });

  it("passes a signed image with its SBOM and provenance, printing the verdict", async () => {
    const result = await run(["staging", `${registry.host}/rollgate/app:1.0.0`, trustDir]);

    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ verified: true, signer: "key:ci", findings: [] });
    expect(result.stderr).toMatch(/verified for staging \(sha256:[a-f0-9]{64}, signed by key:ci\)/);
  });

  it("refuses an unsigned image with exit 1, and an environment without a policy passes unverified", async () => {
    const refused = await run(["staging", `${registry.host}/rollgate/app:1.0.0-unsigned`, trustDir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("refused for staging: signature: no signature by any trusted identity");

    const unverified = await run(["production", `${registry.host}/rollgate/app:1.0.0-unsigned`, trustDir]);
    expect(unverified).toMatchObject({ code: 0, stdout: "null\n" });
    expect(unverified.stderr).toContain("production has no trust policy");
  });

  it("stops deploy.sh before pulumi up when the image is refused", () => {
    const deploy = spawnSync("bash", [join(repoRoot, "scripts/pipeline/deploy.sh"), "staging"], {
      cwd: repoRoot,
      encoding: "utf8",
      env: { ...process.env, ROLLGATE_STACK: "no-such-stack-verify", ROLLGATE_IMAGE: `${registry.host}/rollgate/app:1.0.0-unsigned`, ROLLGATE_TRUST_POLICY_DIR: trustDir },
      timeout: 120_000,
    });

    expect(deploy.status).toBe(1);
    expect(deploy.stderr).toContain("did not pass the supply-chain gate for staging; nothing was changed");
    expect(deploy.stderr).not.toContain("== deploy: pulumi up");
  });

  it("exits 5 when the registry cannot be reached", async () => {
    // A port this test holds, whose listener drops every connection: a stopped registry's port can be taken by another
    // process of a parallel test run (the engine's plugins listen on ephemeral ports), which made that case flaky.
    const dropping = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => dropping.listen(0, "127.0.0.1", resolve));
    const host = `127.0.0.1:${(dropping.address() as AddressInfo).port}`;
    try {
      const down = await run(["staging", `${host}/rollgate/app:1.0.0`, trustDir]);

      expect(down.code, down.stderr).toBe(5);
      expect(down.stderr).toContain(`registry ${host} is unavailable: `);
    } finally {
      await new Promise((resolve) => dropping.close(resolve));
    }
  });
});
