import { describe, expect, it } from "vitest";

import { CYCLONEDX_PREDICATE, SPDX_PREDICATE } from "../../../automation/supplyChain/sbomPolicy";
import { SLSA_V02_PREDICATE, SLSA_V1_PREDICATE } from "../../../automation/supplyChain/provenancePolicy";
import { parseTrustPolicy } from "../../../automation/supplyChain/trustPolicy";
import { supplyChainVerdict } from "../../../automation/supplyChain/verdict";
import { fixture, imageDigest, newKey, signedBundle, statement, trustPolicyInput, type TestKey } from "./signing";

const digest = imageDigest("sample-app:2.0.0");
const ci = newKey();

const production = parseTrustPolicy("production", trustPolicyInput("production", ci));

function attest(predicateType: string, predicateFile: string, key: TestKey = ci): unknown {
  return signedBundle(key, statement(digest, predicateType, fixture(predicateFile)));
}

describe("supplyChainVerdict", () => {
  it("verifies an image with a trusted clean SBOM and provenance, naming signer, SBOM digest and builder", () => {
    const verdict = supplyChainVerdict({ digest, bundles: [attest(CYCLONEDX_PREDICATE, "cyclonedx-clean.json"), attest(SLSA_V1_PREDICATE, "provenance-v1.json")] }, production);

    expect(verdict).toEqual({
      verified: true,
      digest,
      signer: "key:ci",
      sbomDigest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      builder: "https://github.com/actions/runner/github-hosted",
      findings: [],
    });
  });

  it("refuses an image without any signature", () => {
    expect(supplyChainVerdict({ digest, bundles: [] }, production)).toEqual({
      verified: false,
      digest,
      findings: ["signature: no signature by any trusted identity"],
    });
  });

  it("refuses an image whose attestations are signed by an untrusted key", () => {
    const mallory = newKey();
    const bundles = [attest(CYCLONEDX_PREDICATE, "cyclonedx-clean.json", mallory), attest(SLSA_V1_PREDICATE, "provenance-v1.json", mallory)];

    expect(supplyChainVerdict({ digest, bundles }, production).findings).toEqual(["signature: no signature by any trusted identity"]);
  });

  it("refuses an SPDX SBOM with a denied package and license", () => {
    const bundles = [attest(SPDX_PREDICATE, "spdx-denied.json"), attest(SLSA_V1_PREDICATE, "provenance-v1.json")];

    const verdict = supplyChainVerdict({ digest, bundles }, production);

    expect(verdict.verified).toBe(false);
    expect(verdict.findings).toEqual([
      "sbom: package pkg:npm/event-stream@3.3.6 is denied (pkg:npm/event-stream@>=3.3.6 <3.3.7)",
      "sbom: license AGPL-3.0-only of busybox is denied",
    ]);
  });

  it("refuses provenance from an untrusted builder", () => {
    const bundles = [attest(CYCLONEDX_PREDICATE, "cyclonedx-clean.json"), attest(SLSA_V02_PREDICATE, "provenance-v0.2.json")];

    expect(supplyChainVerdict({ digest, bundles }, production).findings).toContain(
      "provenance: builder https://evil.example/self-hosted-builder is not an allowed builder",
    );
  });

  it("refuses an image missing a required attestation", () => {
    expect(supplyChainVerdict({ digest, bundles: [attest(SLSA_V1_PREDICATE, "provenance-v1.json")] }, production).findings).toEqual([
      "sbom: no SBOM attestation by a trusted identity",
    ]);
  });

  it("lets an unsigned image into a preview whose policy allows it, and says so", () => {
    const preview = parseTrustPolicy("preview", { environment: "preview", allowUnsigned: true });

    expect(supplyChainVerdict({ digest, bundles: [] }, preview)).toEqual({ verified: true, digest, unsignedAllowed: true, findings: [] });
  });
});
