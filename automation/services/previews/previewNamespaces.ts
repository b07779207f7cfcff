/**
 * The cluster's preview namespaces, found by the labels the program puts on
 * them. A namespace that a crashed `up` created before Pulumi recorded it is
 * owned by no stack: a later destroy does not know it, so it is swept here.
 */
import { managedBy, recommendedLabels, rollgateLabels } from "../../../components/labels";
import type { KubeApi } from "../../cluster/kubeApi";

export interface PreviewNamespace {
  readonly name: string;
  readonly pr: number;
  readonly createdAt: Date;
  /** Already being deleted. */
  readonly terminating: boolean;
}

export interface PreviewNamespaces {
  /** Namespaces labelled as Rollgate's previews, of one PR or all. */
  list(pr?: number): Promise<PreviewNamespace[]>;
  /** Deletes the namespace (and everything in it); one already gone is fine. */
  remove(name: string): Promise<void>;
}

export function previewNamespacesIn(kube: Pick<KubeApi, "core">): PreviewNamespaces {
  return {
    async list(pr) {
      const selectors = [`${recommendedLabels.managedBy}=${managedBy}`, pr === undefined ? rollgateLabels.pr : `${rollgateLabels.pr}=${pr}`];
      const { items } = await kube.core.listNamespace({ labelSelector: selectors.join(",") });
      return items.flatMap((item) => {
        const labelled = Number(item.metadata?.labels?.[rollgateLabels.pr]);
        const name = item.metadata?.name;
        if (!name || !Number.isInteger(labelled) || labelled <= 0) return [];
        return [
          {
            name,
            pr: labelled,
            createdAt: new Date(item.metadata?.creationTimestamp ?? 0),
            terminating: item.metadata?.deletionTimestamp !== undefined || item.status?.phase === "Terminating",
          },
        ];
      });
    },
    async remove(name) {
      try {
        await kube.core.deleteNamespace({ name });
      } catch (error) {
        if ((error as { code?: unknown }).code !== 404) throw error;
      }
    },
  };
}

/** Deletes the PR's preview namespaces that are not already going; their names. */
export async function sweepPreviewNamespaces(namespaces: PreviewNamespaces, pr: number): Promise<string[]> {
  const leftovers = (await namespaces.list(pr)).filter((namespace) => !namespace.terminating);
  for (const namespace of leftovers) await namespaces.remove(namespace.name);
  return leftovers.map((namespace) => namespace.name);
}
