/**
 * The supply-chain verdict on one image: its attestations verified against
 * the environment's trust policy, each failed check a finding prefixed by the
 * check's name (`signature:`, `sbom:`, `provenance:`).
 */
import { buildOrigin, PROVENANCE_PREDICATES, provenanceFindings, type BuildOrigin } from "./provenancePolicy";
import { CYCLONEDX_PREDICATE, SPDX_PREDICATE, sbomFindings } from "./sbomPolicy";
import { UNTRUSTED_SIGNATURE, verifyAttestation, type AttestationResult } from "./signature";
import type { TrustPolicy } from "./trustPolicy";

export interface ImageEvidence {
  /** The image's manifest digest, `sha256:<hex>`, resolved from its reference. */
  readonly digest: string;
  /** Serialized Sigstore bundles found for the image (signatures and attestations). */
  readonly bundles: readonly unknown[];
}

export interface Verdict {
  readonly verified: boolean;
  readonly digest: string;
  readonly signer?: string;
  /** SHA-256 of the signed SBOM statement. */
  readonly sbomDigest?: string;
  readonly builder?: string;
  /** Set when the image went through unsigned because the policy allows it (previews only); to be audited. */
  readonly unsignedAllowed?: true;
  readonly findings: readonly string[];
}

type Verified = Extract<AttestationResult, { verified: true }>;

const SBOM_PREDICATES: readonly string[] = [CYCLONEDX_PREDICATE, SPDX_PREDICATE];

export function supplyChainVerdict(evidence: ImageEvidence, policy: TrustPolicy, trustedRoot?: unknown): Verdict {
  const trust = { trustedKeys: policy.trustedKeys, keylessIdentities: policy.keylessIdentities, trustedRoot };
  const results = evidence.bundles.map((bundle) => verifyAttestation(bundle, evidence.digest, trust));
  const verified = results.filter((result): result is Verified => result.verified);

  if (verified.length === 0) {
    if (policy.allowUnsigned) return { verified: true, digest: evidence.digest, unsignedAllowed: true, findings: [] };
    return verdict(evidence.digest, {}, signatureFindings(results));
  }

  const sbom = verified.find((result) => SBOM_PREDICATES.includes(result.statement.predicateType));
  const provenance = verified.find((result) => PROVENANCE_PREDICATES.includes(result.statement.predicateType));
  const origin = provenance === undefined ? undefined : buildOrigin(provenance.statement.predicateType, provenance.statement.predicate);

  const findings = [...sbomCheck(sbom, policy), ...provenanceCheck(origin, policy)];
  return verdict(
    evidence.digest,
    { signer: verified[0]?.signer, sbomDigest: sbom?.payloadDigest, builder: origin?.builderId },
    findings,
  );
}

function sbomCheck(sbom: Verified | undefined, policy: TrustPolicy): string[] {
  if (sbom === undefined) return missing(policy, "sbom", "sbom: no SBOM attestation by a trusted identity");
  return sbomFindings(sbom.statement.predicate, policy.sbom);
}

function provenanceCheck(origin: BuildOrigin | undefined, policy: TrustPolicy): string[] {
  if (origin === undefined) return missing(policy, "provenance", "provenance: no SLSA provenance attestation by a trusted identity");
  return policy.provenance === undefined ? [] : provenanceFindings(origin, policy.provenance);
}

/** Why nothing verified: each distinct reason, or the plain one when there was nothing to verify. */
function signatureFindings(results: readonly AttestationResult[]): string[] {
  const reasons = results.flatMap((result) => (result.verified ? [] : [result.finding]));
  return reasons.length === 0 ? [UNTRUSTED_SIGNATURE] : [...new Set(reasons)];
}

function missing(policy: TrustPolicy, attestation: "sbom" | "provenance", finding: string): string[] {
  return policy.requiredAttestations.includes(attestation) ? [finding] : [];
}

interface Found {
  readonly signer?: string;
  readonly sbomDigest?: string;
  readonly builder?: string;
}

function verdict(digest: string, found: Found, findings: string[]): Verdict {
  return {
    verified: findings.length === 0,
    digest,
    ...(found.signer === undefined ? {} : { signer: found.signer }),
    ...(found.sbomDigest === undefined ? {} : { sbomDigest: found.sbomDigest }),
    ...(found.builder === undefined ? {} : { builder: found.builder }),
    findings,
  };
}
