/**
 * The supply-chain gate on production with the real service, engine, production policy pack, local cluster,
 * PostgreSQL and a real OCI registry (the toolchain's go-containerregistry build): with a trust policy for production
 * (ROLLGATE_TRUST_POLICY_DIR), an unsigned image is refused with a 422 problem naming the failed check, nothing starts
 * and the audit trail records the refusal; an image signed by the trusted key with a clean SBOM and allowed provenance
 * is released, its verdict (digest, signer, SBOM digest, builder) on the record and in the audit trail, and the
 * verified digest on the promoted stable Deployment; with the registry down a start is a 503 and nothing starts.
 * The signatures are real ECDSA P-256 DSSE bundles (node:crypto + @sigstore/bundle) verified by @sigstore/verify, over
 * a CycloneDX SBOM generated from the sample app's installed packages (@cyclonedx/cyclonedx-library); cosign itself is
 * not in the toolchain.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CYCLONEDX_PREDICATE } from "../../../automation/supplyChain/sbomPolicy";
import { SLSA_V02_PREDICATE, SLSA_V1_PREDICATE } from "../../../automation/supplyChain/provenancePolicy";
import { fixture, newKey, signedBundle, statement, trustPolicyInput } from "../../automation/supplyChain/signing";
import { attachBundle, pushImage, startRegistry, type LocalRegistry } from "../../support/ociRegistry";
import { sampleAppSbom } from "../../support/sbom";
import { ReleaseEnvironment, stableName } from "../../support/releaseEnvironment";
import { addToken, RollgateApi } from "../../support/rollgateService";
import { productionRiskWithoutFreeze } from "../../support/riskConfig";

const noChecks = { errorRate: { enabled: false }, latency: { enabled: false }, minRequests: 0 };
const ci = newKey();

interface Problem {
  readonly status: number;
  readonly type: string;
  readonly detail: string;
  readonly errors?: readonly { path: string; message: string }[];
}

describe("the supply-chain gate on production through the real service", () => {
  // Production runs images pinned by digest; the first stable one comes from before the gate.
  const env = new ReleaseEnvironment("supply", { environment: "production", stableImage: `ghcr.io/rollgate/sample-app@sha256:${"a0".repeat(32)}` });
  const riskDir = productionRiskWithoutFreeze();
  const trustDir = mkdtempSync(join(tmpdir(), "rg-e2e-trust-"));
  let registry: LocalRegistry;
  let auditor: RollgateApi;
  let signedDigest: string;
  let unsignedDigest: string;

  beforeAll(async () => {
    registry = await startRegistry();
    unsignedDigest = await pushImage(registry.host, "rollgate/sample-app", "2.0.0-unsigned");
    signedDigest = await pushImage(registry.host, "rollgate/sample-app", "2.0.0");
    await attachBundle(registry.host, "rollgate/sample-app", signedDigest, signedBundle(ci, statement(signedDigest, CYCLONEDX_PREDICATE, sampleAppSbom())));
    await attachBundle(registry.host, "rollgate/sample-app", signedDigest, signedBundle(ci, statement(signedDigest, SLSA_V1_PREDICATE, fixture("provenance-v1.json"))));
    writeFileSync(join(trustDir, "production.trust.json"), JSON.stringify(trustPolicyInput("production", ci)));
    auditor = new RollgateApi(() => env.service?.url ?? "", addToken(env.state.dir, "auditor", ["audit:read"]));
    await env.start({ ROLLGATE_TRUST_POLICY_DIR: trustDir, ROLLGATE_RISK_CONFIG_DIR: riskDir });
  });

  afterAll(async () => {
    await env.stop();
    await registry?.stop();
    rmSync(trustDir, { recursive: true, force: true });
    rmSync(riskDir, { recursive: true, force: true });
  });

  it("refuses an unsigned image with a 422 naming the failed check; nothing starts and the refusal is audited", async () => {
    const image = `${registry.host}/rollgate/sample-app@${unsignedDigest}`;
    const refused = await env.startRelease({ image, steps: [{ weight: 100, pauseSeconds: 0 }], analysis: noChecks });

    expect(refused.status).toBe(422);
    const problem = refused.body as unknown as Problem;
    expect(problem.type).toBe("https://rollgate.dev/problems/unprocessable");
    expect(problem.errors).toEqual([{ path: "body.image", message: "signature: no signature by any trusted identity" }]);
    const active = await env.api.request<{ releases: unknown[] }>("GET", "/api/v1/releases?status=progressing");
    expect(active.body.releases).toEqual([]);
    expect(await env.liveWeight()).toBe(0);
    const audit = await auditor.request<{ records: { action: string; result: string; subject: { image: string }; detail: string }[] }>("GET", "/api/v1/audit?environment=production");
    expect(audit.body.records).toContainEqual(
      expect.objectContaining({ action: "release.refused", result: "refused", subject: expect.objectContaining({ image }), detail: "signature: no signature by any trusted identity" }),
    );
  });

  it("refuses an untrusted signer, a denied SBOM package and an untrusted builder, each with its own reason, changing nothing", async () => {
    const stranger = newKey();
    const cases: { tag: string; bundles: (digest: string) => unknown[]; reason: string }[] = [
      {
        tag: "2.0.0-stranger",
        bundles: (digest) => [signedBundle(stranger, statement(digest, CYCLONEDX_PREDICATE, sampleAppSbom())), signedBundle(stranger, statement(digest, SLSA_V1_PREDICATE, fixture("provenance-v1.json")))],
        reason: "signature: no signature by any trusted identity",
      },
      {
        tag: "2.0.0-denied",
        bundles: (digest) => [
          signedBundle(ci, statement(digest, CYCLONEDX_PREDICATE, sampleAppSbom([{ name: "event-stream", version: "3.3.6", license: "MIT" }]))),
          signedBundle(ci, statement(digest, SLSA_V1_PREDICATE, fixture("provenance-v1.json"))),
        ],
        reason: "sbom: package pkg:npm/event-stream@3.3.6 is denied (pkg:npm/event-stream@>=3.3.6 <3.3.7)",
      },
      {
        tag: "2.0.0-builder",
        bundles: (digest) => [signedBundle(ci, statement(digest, CYCLONEDX_PREDICATE, sampleAppSbom())), signedBundle(ci, statement(digest, SLSA_V02_PREDICATE, fixture("provenance-v0.2.json")))],
        reason: "provenance: builder https://evil.example/self-hosted-builder is not an allowed builder",
      },
    ];
    const configBefore = await env.config();

    for (const { tag, bundles, reason } of cases) {
      const digest = await pushImage(registry.host, "rollgate/sample-app", tag);
      for (const bundle of bundles(digest)) await attachBundle(registry.host, "rollgate/sample-app", digest, bundle);

      const refused = await env.startRelease({ image: `${registry.host}/rollgate/sample-app@${digest}`, steps: [{ weight: 100, pauseSeconds: 0 }], analysis: noChecks });

      expect(refused.status, tag).toBe(422);
      expect((refused.body as unknown as Problem).errors?.map((error) => error.message), tag).toContain(reason);
    }
    expect(await env.config()).toEqual(configBefore);
    expect(await env.liveWeight()).toBe(0);
  });

  it("releases an image signed by the trusted key with a clean SBOM and allowed provenance, keeping the verdict", async () => {
    const image = `${registry.host}/rollgate/sample-app@${signedDigest}`;
    const started = await env.startRelease({ image, steps: [{ weight: 100, pauseSeconds: 0 }], analysis: noChecks });
    expect(started.status, JSON.stringify(started.body)).toBe(202);

    const release = await env.settled(started.body.id);
    const record = (await env.release(release.id)) as typeof release & { supplyChain: Record<string, string> | null };

    expect(release.status, release.reason ?? "").toBe("succeeded");
    expect(record.supplyChain).toMatchObject({ digest: signedDigest, signer: "key:ci", builder: "https://github.com/actions/runner/github-hosted" });
    expect(record.supplyChain?.sbomDigest).toMatch(/^sha256:[a-f0-9]{64}$/);
    // What the production policy (workload-image-verified) reads: the promoted stable Deployment names the verified digest.
    const stable = await env.kube.apps.readNamespacedDeployment({ namespace: env.namespace, name: stableName });
    expect(stable.metadata?.annotations?.["rollgate.dev/verified-digest"]).toBe(signedDigest);
    expect(stable.spec?.template.spec?.containers[0]?.image).toBe(image);
    const audit = await auditor.request<{ records: { action: string; subject: { releaseId: string }; detail: string | null }[] }>("GET", "/api/v1/audit?environment=production");
    const start = audit.body.records.find((entry) => entry.action === "release.started" && entry.subject.releaseId === release.id);
    expect(start?.detail).toContain(`supply chain: ${signedDigest}, signed by key:ci, SBOM sha256:`);
  });

  it("answers 503 and starts nothing while the registry is down", async () => {
    const host = registry.host;
    await registry.stop();

    const down = await env.startRelease({ image: `${host}/rollgate/sample-app@sha256:${"d3".repeat(32)}`, steps: [{ weight: 100, pauseSeconds: 0 }], analysis: noChecks });

    expect(down.status).toBe(503);
    expect((down.body as unknown as Problem).detail).toContain(`registry ${host} is unavailable: ECONNREFUSED`);
    const active = await env.api.request<{ releases: unknown[] }>("GET", "/api/v1/releases?status=progressing");
    expect(active.body.releases).toEqual([]);
  });
});
