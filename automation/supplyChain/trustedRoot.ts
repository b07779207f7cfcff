/**
 * Sigstore's trusted root (`trusted_root.json`: Fulcio CAs, Rekor and CT log keys), which keyless signatures are
 * verified against. Read and checked once, so a bad file stops the service at start naming it.
 */
import { readFileSync } from "node:fs";
import { TrustedRoot } from "@sigstore/protobuf-specs";
import { toTrustMaterial } from "@sigstore/verify";
import { z } from "zod";

const trustedRootShape = z.object({
  mediaType: z.string().startsWith("application/vnd.dev.sigstore.trustedroot", "must be a Sigstore trusted root media type"),
  certificateAuthorities: z.array(z.unknown()).min(1, "must list at least one certificate authority (Fulcio)"),
  tlogs: z.array(z.unknown()).min(1, "must list at least one transparency log (Rekor)"),
});

export function loadTrustedRoot(file: string): unknown {
  try {
    const json: unknown = JSON.parse(readFileSync(file, "utf8"));
    const shape = trustedRootShape.safeParse(json);
    if (!shape.success) {
      throw new Error(shape.error.issues.map((issue) => `\`${issue.path.join(".")}\` ${issue.message}`).join("; "));
    }
    toTrustMaterial(TrustedRoot.fromJSON(json));
    return json;
  } catch (error) {
    throw new Error(`Sigstore trusted root ${file} cannot be used: ${error instanceof Error ? error.message : String(error)}`);
  }
}
