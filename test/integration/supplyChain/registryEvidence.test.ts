/**
 * The registry client against a real OCI registry (go-containerregistry's, built by the toolchain, referrers API on):
 * an image pushed under a tag resolves to its manifest digest; the Sigstore bundles attached to it as referrers are
 * found, read and verified into a verdict (the SBOMs generated from the sample app's installed packages by
 * @cyclonedx/cyclonedx-library); denied packages and licenses are named; a bundle for another image is refused; a stopped registry is an
 * unavailable error naming the host, with nothing half-read.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseImageReference, type ImageReference } from "../../../components/image";
import { imageEvidence } from "../../../automation/supplyChain/registry/imageEvidence";
import { RegistryRequestError, RegistryUnavailableError } from "../../../automation/supplyChain/registry/errors";
import { RegistryClient } from "../../../automation/supplyChain/registry/registryClient";
import { CYCLONEDX_PREDICATE } from "../../../automation/supplyChain/sbomPolicy";
import { SLSA_V1_PREDICATE } from "../../../automation/supplyChain/provenancePolicy";
import { parseTrustPolicy } from "../../../automation/supplyChain/trustPolicy";
import { supplyChainVerdict } from "../../../automation/supplyChain/verdict";
import { attachBundle, pushImage, startRegistry, type LocalRegistry } from "../../support/ociRegistry";
import { sampleAppSbom } from "../../support/sbom";
import { fixture, newKey, signedBundle, statement, trustPolicyInput } from "../../automation/supplyChain/signing";

const ci = newKey();
const stranger = newKey();

function reference(text: string): ImageReference {
  const parsed = parseImageReference(text);
  if (!parsed) throw new Error(`not an image reference: ${text}`);
  return parsed;
}

describe("image evidence from a real OCI registry", () => {
  let registry: LocalRegistry;
  let digest: string;
  const client = new RegistryClient({ timeoutMs: 2000 });
  const policy = () => parseTrustPolicy("production", trustPolicyInput("production", ci));

  beforeAll(async () => {
    registry = await startRegistry();
    digest = await pushImage(registry.host, "rollgate/sample-app", "2.0.0");
  });

  afterAll(async () => {
    await registry?.stop();
  });

  it("resolves a tag to the manifest digest the registry holds, and a digest reference to itself", async () => {
    expect(await client.resolve(reference(`${registry.host}/rollgate/sample-app:2.0.0`))).toBe(digest);
    expect(await client.resolve(reference(`${registry.host}/rollgate/sample-app@${digest}`))).toBe(digest);
  });

  it("finds no evidence for an unsigned image, and the verdict names the missing signature", async () => {
    const image = reference(`${registry.host}/rollgate/sample-app:2.0.0`);
    const evidence = await imageEvidence(client, image);

    expect(evidence).toEqual({ digest, bundles: [] });
    expect(supplyChainVerdict(evidence, policy()).findings).toEqual(["signature: no signature by any trusted identity"]);
  });

  it("reads the SBOM and provenance bundles attached as referrers and verifies them into a verdict", async () => {
    await attachBundle(registry.host, "rollgate/sample-app", digest, signedBundle(ci, statement(digest, CYCLONEDX_PREDICATE, sampleAppSbom())));
    await attachBundle(registry.host, "rollgate/sample-app", digest, signedBundle(ci, statement(digest, SLSA_V1_PREDICATE, fixture("provenance-v1.json"))));
    // Signed by a key nobody trusts: found, and ignored by the verdict.
    await attachBundle(registry.host, "rollgate/sample-app", digest, signedBundle(stranger, statement(digest, CYCLONEDX_PREDICATE, fixture("cyclonedx-clean.json"))));

    const evidence = await imageEvidence(client, reference(`${registry.host}/rollgate/sample-app:2.0.0`));
    const verdict = supplyChainVerdict(evidence, policy());

    expect(evidence.bundles).toHaveLength(3);
    expect(verdict).toMatchObject({ verified: true, digest, signer: "key:ci", builder: "https://github.com/actions/runner/github-hosted", findings: [] });
    expect(verdict.sbomDigest).toMatch(/^sha256:[a-f0-9]{64}$/);
  });

  it("refuses an image whose generated SBOM lists a denied package and a denied license, naming each", async () => {
    const image = await pushImage(registry.host, "rollgate/sample-app", "2.1.0");
    const sbom = sampleAppSbom([
      { name: "event-stream", version: "3.3.6", license: "MIT" },
      { name: "copyleft-widget", version: "1.0.0", license: "AGPL-3.0-only" },
    ]);
    await attachBundle(registry.host, "rollgate/sample-app", image, signedBundle(ci, statement(image, CYCLONEDX_PREDICATE, sbom)));
    await attachBundle(registry.host, "rollgate/sample-app", image, signedBundle(ci, statement(image, SLSA_V1_PREDICATE, fixture("provenance-v1.json"))));

    const verdict = supplyChainVerdict(await imageEvidence(client, reference(`${registry.host}/rollgate/sample-app:2.1.0`)), policy());

    expect(verdict.verified).toBe(false);
    expect(verdict.findings).toEqual([
      "sbom: license AGPL-3.0-only of pkg:npm/copyleft-widget@1.0.0 is denied",
      "sbom: package pkg:npm/event-stream@3.3.6 is denied (pkg:npm/event-stream@>=3.3.6 <3.3.7)",
    ]);
  });

  it("refuses a signature over another image's digest, even by a trusted key", async () => {
    const other = await pushImage(registry.host, "rollgate/other", "1.0.0");
    await attachBundle(registry.host, "rollgate/other", other, signedBundle(ci, statement(digest, CYCLONEDX_PREDICATE, fixture("cyclonedx-clean.json"))));

    const verdict = supplyChainVerdict(await imageEvidence(client, reference(`${registry.host}/rollgate/other:1.0.0`)), policy());

    expect(verdict.verified).toBe(false);
    expect(verdict.findings.join("\n")).toContain(`is not the image's ${other}`);
  });

  it("answers an unknown tag with the registry's refusal, and a stopped registry as unavailable", async () => {
    const missing = client.resolve(reference(`${registry.host}/rollgate/sample-app:9.9.9`));
    await expect(missing).rejects.toBeInstanceOf(RegistryRequestError);
    await expect(missing).rejects.toThrow(`registry ${registry.host} answered 404 for manifest ${registry.host}/rollgate/sample-app:9.9.9`);

    const host = registry.host;
    await registry.stop();
    const down = imageEvidence(client, reference(`${host}/rollgate/sample-app:2.0.0`));
    await expect(down).rejects.toBeInstanceOf(RegistryUnavailableError);
    await expect(down).rejects.toThrow(`registry ${host} is unavailable: ECONNREFUSED`);
  });
});
