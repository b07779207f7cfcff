/**
 * The per-environment trust policy of the supply-chain gate: who may sign an
 * image, which attestations it must carry, and what they may contain. One file
 * per environment, `policies/config/<env>.trust.json`, beside the policy pack's
 * config (which Pulumi reads as-is, so it cannot hold extra sections).
 */
import { createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { validRange } from "semver";
import { z } from "zod";
import { ValidationError } from "../errors";
import { fieldIssues } from "../release/schemas";
import { parsePackageUrl } from "./purl";

export const TRUST_ENVIRONMENTS = ["preview", "staging", "production"] as const;
export type TrustEnvironment = (typeof TRUST_ENVIRONMENTS)[number];

/** A regular expression written as a string; anchored so that `acme` cannot match `evil-acme`. */
const AnchoredPattern = z
  .string()
  .min(2)
  .refine((pattern) => pattern.startsWith("^") && pattern.endsWith("$"), "must be anchored (start with ^ and end with $)")
  .refine(compiles, "must be a valid regular expression");

const PemPublicKey = z.string().refine(isPublicKey, "must be a PEM public key (-----BEGIN PUBLIC KEY-----)");

const TrustedKey = z.object({ name: z.string().min(1), publicKey: PemPublicKey }).strict();

const KeylessIdentity = z
  .object({
    issuer: z.string().url(),
    subjectPattern: AnchoredPattern,
  })
  .strict();

/** A package is denied when its PURL (without version) is `purl` and its version satisfies `versions`. */
const DeniedPackage = z
  .object({
    purl: z.string().refine(isVersionlessPurl, "must be a package URL without version, e.g. pkg:npm/event-stream"),
    versions: z.string().refine((range) => validRange(range) !== null, "must be a semver range, e.g. >=3.3.6 <3.3.7"),
  })
  .strict();

const SbomPolicy = z
  .object({
    deniedLicenses: z.array(z.string().regex(/^[A-Za-z0-9.+-]+$/, "must be an SPDX license id")).default([]),
    deniedPackages: z.array(DeniedPackage).default([]),
  })
  .strict();

const ProvenancePolicy = z
  .object({
    allowedBuilders: z.array(z.string().min(1)).min(1),
    allowedRepositories: z.array(AnchoredPattern).min(1),
    allowedRefs: z.array(AnchoredPattern).min(1),
  })
  .strict();

export const TrustPolicySchema = z
  .object({
    environment: z.enum(TRUST_ENVIRONMENTS),
    /** Lets an unsigned image through (with an audited verdict); previews only. */
    allowUnsigned: z.boolean().default(false),
    trustedKeys: z.array(TrustedKey).default([]),
    keylessIdentities: z.array(KeylessIdentity).default([]),
    requiredAttestations: z.array(z.enum(["sbom", "provenance"])).default([]),
    sbom: SbomPolicy.default({}),
    provenance: ProvenancePolicy.optional(),
  })
  .strict()
  .superRefine((policy, ctx) => {
    if (policy.allowUnsigned && policy.environment !== "preview") {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["allowUnsigned"], message: "is only allowed for environment preview" });
    }
    if (!policy.allowUnsigned && policy.trustedKeys.length === 0 && policy.keylessIdentities.length === 0) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["trustedKeys"], message: "must name a key or a keyless identity when unsigned images are not allowed" });
    }
    if (policy.requiredAttestations.includes("provenance") && policy.provenance === undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["provenance"], message: "is required when provenance is a required attestation" });
    }
  });

export type TrustPolicy = z.output<typeof TrustPolicySchema>;

/** Parses a trust policy for `environment`; a `ValidationError` names every bad field. */
export function parseTrustPolicy(environment: TrustEnvironment, input: unknown): TrustPolicy {
  const parsed = TrustPolicySchema.safeParse(input);
  if (!parsed.success) {
    const errors = fieldIssues(parsed.error).map(({ field, message }) => ({ path: field, message }));
    throw new ValidationError(`trust policy for ${environment} is invalid: ${errors.map((e) => `\`${e.path}\` ${e.message}`).join("; ")}`, errors);
  }
  if (parsed.data.environment !== environment) {
    throw new ValidationError(`trust policy for ${environment} names environment ${parsed.data.environment}`, [
      { path: "environment", message: `must be ${environment}` },
    ]);
  }
  return parsed.data;
}

export function trustPolicyFile(configDir: string, environment: TrustEnvironment): string {
  return join(configDir, `${environment}.trust.json`);
}

export function loadTrustPolicy(configDir: string, environment: TrustEnvironment): TrustPolicy {
  return parseTrustPolicy(environment, JSON.parse(readFileSync(trustPolicyFile(configDir, environment), "utf8")));
}

function isVersionlessPurl(text: string): boolean {
  const purl = parsePackageUrl(text);
  return purl !== undefined && purl.version === undefined && !/[?#]/.test(text);
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

function isPublicKey(pem: string): boolean {
  try {
    return createPublicKey(pem).type === "public";
  } catch {
    return false;
  }
}
