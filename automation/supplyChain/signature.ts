/**
 * Verifies one Sigstore bundle (a DSSE-signed in-toto statement, as `cosign
 * attest` makes it) with @sigstore/verify, offline: a key-based signature by
 * one of the trusted PEM keys without a transparency log, or a keyless one
 * whose certificate chains to the given trusted root (Fulcio CAs, Rekor and
 * CT log keys) and names a trusted issuer and subject.
 */
import { createHash, createPublicKey } from "node:crypto";
import { bundleFromJSON, isBundleWithDsseEnvelope, type Bundle } from "@sigstore/bundle";
import { TrustedRoot } from "@sigstore/protobuf-specs";
import { toSignedEntity, toTrustMaterial, Verifier, type SignedEntity } from "@sigstore/verify";
import { IN_TOTO_PAYLOAD_TYPE, parseStatement, type InTotoStatement } from "./statement";
import type { TrustPolicy } from "./trustPolicy";

export interface TrustRoot {
  readonly trustedKeys: TrustPolicy["trustedKeys"];
  readonly keylessIdentities: TrustPolicy["keylessIdentities"];
  /** Sigstore trusted-root JSON; keyless signatures are refused without one. */
  readonly trustedRoot?: unknown;
}

export type AttestationResult =
  | {
      readonly verified: true;
      /** `key:<name>` or `<issuer> <subject>`. */
      readonly signer: string;
      readonly statement: InTotoStatement;
      /** SHA-256 of the signed statement bytes. */
      readonly payloadDigest: string;
    }
  | { readonly verified: false; readonly finding: string };

export const UNTRUSTED_SIGNATURE = "signature: no signature by any trusted identity";

const noTransparencyLog = { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 };

export function verifyAttestation(serializedBundle: unknown, imageDigest: string, trust: TrustRoot): AttestationResult {
  const bundle = readBundle(serializedBundle);
  if (bundle === undefined) return refused("signature: not a valid Sigstore bundle");
  if (!isBundleWithDsseEnvelope(bundle)) return refused("signature: bundle holds no DSSE envelope (plain message signatures are not supported yet)");

  const entity = toSignedEntity(bundle);
  const signer = entity.key.$case === "public-key" ? keySigner(entity, trust) : keylessSigner(entity, trust);
  if (signer === undefined) return refused(UNTRUSTED_SIGNATURE);

  // Only now, with the signature verified, is the payload worth reading.
  const { payload, payloadType } = bundle.content.dsseEnvelope;
  const statement = payloadType === IN_TOTO_PAYLOAD_TYPE ? parseStatement(payload) : undefined;
  if (statement === undefined) return refused(`signature: signed payload is not an in-toto statement (${payloadType})`);
  if (!statement.subjectDigests.includes(imageDigest)) {
    return refused(`signature: signed digest ${statement.subjectDigests.join(", ") || "(none)"} is not the image's ${imageDigest}`);
  }
  return { verified: true, signer, statement, payloadDigest: `sha256:${createHash("sha256").update(payload).digest("hex")}` };
}

function keySigner(entity: SignedEntity, trust: TrustRoot): string | undefined {
  const emptyRoot = TrustedRoot.fromJSON({});
  const trusted = trust.trustedKeys.find(({ publicKey }) => {
    const material = toTrustMaterial(emptyRoot, () => ({ publicKey: createPublicKey(publicKey), validFor: () => true }));
    return verifies(() => new Verifier(material, noTransparencyLog).verify(entity));
  });
  return trusted === undefined ? undefined : `key:${trusted.name}`;
}

function keylessSigner(entity: SignedEntity, trust: TrustRoot): string | undefined {
  if (trust.trustedRoot === undefined || trust.keylessIdentities.length === 0) return undefined;
  const verifier = new Verifier(toTrustMaterial(TrustedRoot.fromJSON(trust.trustedRoot)));
  const trusted = trust.keylessIdentities.find(({ issuer, subjectPattern }) =>
    verifies(() => verifier.verify(entity, { subjectAlternativeName: new RegExp(subjectPattern), extensions: { issuer } })),
  );
  if (trusted === undefined || entity.key.$case !== "certificate") return undefined;
  return `${trusted.issuer} ${entity.key.certificate.subjectAltName ?? "(no subject)"}`;
}

// Any failure (bad signature, wrong key, chain, identity) means "not by this trusted identity"; the next one may fit.
function verifies(verify: () => unknown): boolean {
  try {
    verify();
    return true;
  } catch {
    return false;
  }
}

function readBundle(serialized: unknown): Bundle | undefined {
  try {
    return bundleFromJSON(serialized);
  } catch {
    return undefined;
  }
}

function refused(finding: string): AttestationResult {
  return { verified: false, finding };
}
