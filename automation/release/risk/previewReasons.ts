/** Risk reasons from the preview: points per changed resource; replacing or deleting a critical resource forces `high`. */
import { previewChanges, type ResourceChange } from "./previewChanges";
import type { RiskReason } from "./reason";
import type { RiskConfig } from "./riskConfig";
import type { PreviewSignal } from "./signals";

const WORKLOAD_TYPES: ReadonlySet<string> = new Set(["kubernetes:apps/v1:Deployment"]);

export function previewReasons(preview: PreviewSignal, config: RiskConfig): RiskReason[] {
  const changes = previewChanges(preview);
  const { weights } = config;
  const counted: RiskReason[] = [
    perResource("created", changes.created, weights.resourceCreated),
    perResource("updated", changes.updated, weights.resourceUpdated),
    perResource("replaced", changes.replaced, weights.resourceReplaced),
    perResource("deleted", changes.deleted, weights.resourceDeleted),
  ].filter((reason): reason is RiskReason => reason !== undefined);

  const critical = new Set(config.criticalResourceTypes);
  const forcing = [...changes.replaced.map((c) => ["replaces", c] as const), ...changes.deleted.map((c) => ["deletes", c] as const)]
    .filter(([, change]) => critical.has(change.type))
    .map(([verb, change]): RiskReason => ({ signal: "preview", detail: `${verb} ${change.type} ${change.urn}, a stateful or networking resource`, points: 0, forcesHigh: true }));

  const imageOnly =
    changes.created.length + changes.replaced.length + changes.deleted.length === 0 &&
    changes.updated.length > 0 &&
    changes.updated.every((change) => WORKLOAD_TYPES.has(change.type));
  const note: RiskReason[] = imageOnly ? [{ signal: "preview", detail: "only workloads are updated (an image-only change)", points: 0 }] : [];
  if (counted.length === 0) return [{ signal: "preview", detail: "no resource changes", points: 0 }];
  return [...counted, ...forcing, ...note];
}

function perResource(verb: string, changes: readonly ResourceChange[], pointsEach: number): RiskReason | undefined {
  if (changes.length === 0) return undefined;
  const types = [...new Set(changes.map((change) => change.type))].join(", ");
  return { signal: "preview", detail: `${changes.length} resource(s) ${verb} × ${pointsEach} points (${types})`, points: changes.length * pointsEach };
}
