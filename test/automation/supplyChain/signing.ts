/**
 * Real signatures for the tests: an ECDSA P-256 key pair from node:crypto, a
 * DSSE envelope signed over its pre-authentication encoding, wrapped in a
 * Sigstore bundle by @sigstore/bundle: a key-based bundle with no transparency-log entry.
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { bundleToJSON, toDSSEBundle } from "@sigstore/bundle";

export const IN_TOTO = "application/vnd.in-toto+json";

export interface TestKey {
  readonly privateKey: KeyObject;
  readonly publicKeyPem: string;
}

export function newKey(): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return { privateKey, publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString() };
}

export function imageDigest(seed: string): string {
  return `sha256:${createHash("sha256").update(seed).digest("hex")}`;
}

export function statement(digest: string, predicateType: string, predicate: unknown): Buffer {
  const subject = [{ name: "ghcr.io/rollgate/sample-app", digest: { sha256: digest.replace(/^sha256:/, "") } }];
  return Buffer.from(JSON.stringify({ _type: "https://in-toto.io/Statement/v1", subject, predicateType, predicate }));
}

/** DSSE v1 pre-authentication encoding: what the signature covers. */
function preAuthEncoding(payloadType: string, payload: Buffer): Buffer {
  const prefix = `DSSEv1 ${Buffer.byteLength(payloadType)} ${payloadType} ${payload.length} `;
  return Buffer.concat([Buffer.from(prefix), payload]);
}

export function signedBundle(key: TestKey, payload: Buffer, payloadType = IN_TOTO): unknown {
  const signature = sign("sha256", preAuthEncoding(payloadType, payload), key.privateKey);
  return bundleToJSON(toDSSEBundle({ artifact: payload, artifactType: payloadType, signature, keyHint: "" }));
}

export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(__dirname, "../../fixtures/supply-chain", name), "utf8"));
}

/** A trust policy's input trusting `key`, requiring an SBOM (AGPL and event-stream 3.3.6 denied) and provenance from GitHub's runners on rollgate's main. */
export function trustPolicyInput(environment: "preview" | "staging" | "production", key: TestKey) {
  return {
    environment,
    trustedKeys: [{ name: "ci", publicKey: key.publicKeyPem }],
    requiredAttestations: ["sbom", "provenance"],
    sbom: { deniedLicenses: ["AGPL-3.0-only"], deniedPackages: [{ purl: "pkg:npm/event-stream", versions: ">=3.3.6 <3.3.7" }] },
    provenance: {
      allowedBuilders: ["https://github.com/actions/runner/github-hosted"],
      allowedRepositories: ["^https://github\\.com/rollgate/[a-z0-9-]+$"],
      allowedRefs: ["^refs/heads/main$"],
    },
  };
}
