import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { ValidationError } from "../../../automation/errors";
import { loadTrustPolicy, parseTrustPolicy, TRUST_ENVIRONMENTS } from "../../../automation/supplyChain/trustPolicy";
import { newKey } from "./signing";

const configDir = join(__dirname, "../../../policies/config");
const identity = { issuer: "https://token.actions.githubusercontent.com", subjectPattern: "^https://github\\.com/rollgate/.+$" };

function fieldErrors(environment: "preview" | "staging" | "production", input: unknown): unknown {
  try {
    parseTrustPolicy(environment, input);
  } catch (err) {
    if (err instanceof ValidationError) return err.errors;
    throw err;
  }
  return [];
}

describe("trust policy files", () => {
  it.each(TRUST_ENVIRONMENTS)("policies/config/%s.trust.json is a valid trust policy", (environment) => {
    expect(loadTrustPolicy(configDir, environment).environment).toBe(environment);
  });

  it("require SBOM and provenance in production, signed by a keyless identity", () => {
    const policy = loadTrustPolicy(configDir, "production");

    expect(policy).toMatchObject({ allowUnsigned: false, requiredAttestations: ["sbom", "provenance"] });
    expect(policy.keylessIdentities).toHaveLength(1);
  });
});

describe("parseTrustPolicy", () => {
  it("accepts a trusted PEM key and fills defaults", () => {
    const policy = parseTrustPolicy("staging", { environment: "staging", trustedKeys: [{ name: "ci", publicKey: newKey().publicKeyPem }] });

    expect(policy).toMatchObject({ allowUnsigned: false, keylessIdentities: [], requiredAttestations: [], sbom: { deniedLicenses: [], deniedPackages: [] } });
  });

  it("refuses allowUnsigned for production, naming the field", () => {
    expect(fieldErrors("production", { environment: "production", allowUnsigned: true, keylessIdentities: [identity] })).toEqual([
      { path: "allowUnsigned", message: "is only allowed for environment preview" },
    ]);
  });

  it("accepts allowUnsigned for previews", () => {
    expect(parseTrustPolicy("preview", { environment: "preview", allowUnsigned: true }).allowUnsigned).toBe(true);
  });

  it("refuses an unanchored subject pattern", () => {
    expect(fieldErrors("staging", { environment: "staging", keylessIdentities: [{ ...identity, subjectPattern: "rollgate" }] })).toEqual([
      { path: "keylessIdentities[0].subjectPattern", message: "must be anchored (start with ^ and end with $)" },
    ]);
  });

  it("refuses a public key that is not PEM", () => {
    expect(fieldErrors("staging", { environment: "staging", trustedKeys: [{ name: "ci", publicKey: "ssh-ed25519 AAAA" }] })).toEqual([
      { path: "trustedKeys[0].publicKey", message: "must be a PEM public key (-----BEGIN PUBLIC KEY-----)" },
    ]);
  });

  it("refuses a denied package whose version range is not semver", () => {
    const sbom = { deniedPackages: [{ purl: "pkg:npm/event-stream", versions: "three-ish" }] };

    expect(fieldErrors("staging", { environment: "staging", keylessIdentities: [identity], sbom })).toEqual([
      { path: "sbom.deniedPackages[0].versions", message: "must be a semver range, e.g. >=3.3.6 <3.3.7" },
    ]);
  });

  it("refuses a denied package whose PURL carries a version", () => {
    const sbom = { deniedPackages: [{ purl: "pkg:npm/@acme/lib@1.0.0", versions: "*" }] };

    expect(fieldErrors("staging", { environment: "staging", keylessIdentities: [identity], sbom })).toEqual([
      { path: "sbom.deniedPackages[0].purl", message: "must be a package URL without version, e.g. pkg:npm/event-stream" },
    ]);
  });

  it("refuses a policy that trusts nobody and does not allow unsigned images", () => {
    expect(fieldErrors("staging", { environment: "staging" })).toEqual([
      { path: "trustedKeys", message: "must name a key or a keyless identity when unsigned images are not allowed" },
    ]);
  });

  it("refuses a file written for another environment", () => {
    expect(fieldErrors("production", { environment: "staging", keylessIdentities: [identity] })).toEqual([{ path: "environment", message: "must be production" }]);
  });
});
