import { describe, expect, it } from "vitest";

import { UNTRUSTED_SIGNATURE, verifyAttestation } from "../../../automation/supplyChain/signature";
import { imageDigest, newKey, signedBundle, statement } from "./signing";

const digest = imageDigest("sample-app:1.0.0");
const signingKey = newKey();
const trustSigningKey = { trustedKeys: [{ name: "ci", publicKey: signingKey.publicKeyPem }], keylessIdentities: [] };
const provenanceType = "https://slsa.dev/provenance/v1";

describe("verifyAttestation", () => {
  it("verifies a statement about the image signed by a trusted key", () => {
    const bundle = signedBundle(signingKey, statement(digest, provenanceType, { any: "thing" }));

    const result = verifyAttestation(bundle, digest, trustSigningKey);

    expect(result).toMatchObject({ verified: true, signer: "key:ci", statement: { predicateType: provenanceType, subjectDigests: [digest] } });
  });

  it("refuses a statement signed by a key that is not trusted", () => {
    const bundle = signedBundle(newKey(), statement(digest, provenanceType, {}));

    expect(verifyAttestation(bundle, digest, trustSigningKey)).toEqual({ verified: false, finding: UNTRUSTED_SIGNATURE });
  });

  it("refuses a trusted signature over another image's digest", () => {
    const other = imageDigest("sample-app:0.9.0");
    const bundle = signedBundle(signingKey, statement(other, provenanceType, {}));

    expect(verifyAttestation(bundle, digest, trustSigningKey)).toEqual({
      verified: false,
      finding: `signature: signed digest ${other} is not the image's ${digest}`,
    });
  });

  it("refuses a bundle whose payload was changed after signing", () => {
    const bundle = signedBundle(signingKey, statement(imageDigest("sample-app:0.9.0"), provenanceType, {})) as {
      dsseEnvelope: { payload: string };
    };
    bundle.dsseEnvelope.payload = statement(digest, provenanceType, {}).toString("base64");

    expect(verifyAttestation(bundle, digest, trustSigningKey)).toEqual({ verified: false, finding: UNTRUSTED_SIGNATURE });
  });

  it("refuses a keyless signature when no trusted root is given", () => {
    const bundle = signedBundle(signingKey, statement(digest, provenanceType, {}));
    const keylessOnly = { trustedKeys: [], keylessIdentities: [{ issuer: "https://token.actions.githubusercontent.com", subjectPattern: "^.*$" }] };

    expect(verifyAttestation(bundle, digest, keylessOnly)).toEqual({ verified: false, finding: UNTRUSTED_SIGNATURE });
  });

  it("refuses what is not a Sigstore bundle", () => {
    expect(verifyAttestation({ hello: "world" }, digest, trustSigningKey)).toEqual({ verified: false, finding: "signature: not a valid Sigstore bundle" });
  });

  it("refuses a signed payload that is not an in-toto statement", () => {
    const bundle = signedBundle(signingKey, Buffer.from("{}"), "text/plain");

    expect(verifyAttestation(bundle, digest, trustSigningKey)).toEqual({
      verified: false,
      finding: "signature: signed payload is not an in-toto statement (text/plain)",
    });
  });
});
