/**
 * The resource changes of a preview, by kind, from its URN → op steps. Pulumi
 * reports a replacement as `replace` plus `create-replacement` and
 * `delete-replaced` steps; each replaced resource is counted once.
 */
import type { PreviewSignal } from "./signals";

export interface ResourceChange {
  readonly urn: string;
  /** The Pulumi type token, e.g. `kubernetes:core/v1:Service`. */
  readonly type: string;
}

export interface PreviewChanges {
  readonly created: readonly ResourceChange[];
  readonly updated: readonly ResourceChange[];
  readonly replaced: readonly ResourceChange[];
  readonly deleted: readonly ResourceChange[];
}

const KIND_OF_OP: Readonly<Record<string, keyof PreviewChanges>> = {
  create: "created",
  update: "updated",
  replace: "replaced",
  "create-replacement": "replaced",
  "delete-replaced": "replaced",
  delete: "deleted",
};

export function previewChanges(preview: PreviewSignal): PreviewChanges {
  const changes: Record<keyof PreviewChanges, ResourceChange[]> = { created: [], updated: [], replaced: [], deleted: [] };
  for (const [urn, op] of Object.entries(preview.steps)) {
    const kind = KIND_OF_OP[op];
    if (kind === undefined) continue;
    if (changes[kind].some((change) => change.urn === urn)) continue;
    changes[kind].push({ urn, type: resourceType(urn) });
  }
  return changes;
}

/** `urn:pulumi:stack::project::parent$type::name` → `type` (the last of the `$`-joined type chain). */
export function resourceType(urn: string): string {
  const typeChain = urn.split("::")[2] ?? "";
  return typeChain.split("$").at(-1) ?? typeChain;
}
