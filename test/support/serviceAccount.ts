/**
 * Acting as a Kubernetes service account the way a pod does: a token from the
 * TokenRequest API on the local cluster's address and CA, with no other
 * credentials. The kubeconfig file form lets a real process (the service, and
 * the Pulumi Kubernetes provider it runs) use that identity alone.
 */
import { writeFileSync } from "node:fs";
import * as k8s from "@kubernetes/client-node";
import { kubeconfigPath } from "./toolchain";

export interface ServiceAccountRef {
  readonly namespace: string;
  readonly name: string;
}

/** A kubeconfig whose only user is a fresh token of the service account. */
export async function serviceAccountKubeConfig(core: k8s.CoreV1Api, account: ServiceAccountRef, expirationSeconds = 3600): Promise<k8s.KubeConfig> {
  const request = await core.createNamespacedServiceAccountToken({ ...account, body: { spec: { audiences: [], expirationSeconds } } });
  const token = request.status?.token;
  if (!token) throw new Error(`TokenRequest for ${account.namespace}/${account.name} returned no token`);
  const admin = new k8s.KubeConfig();
  admin.loadFromFile(kubeconfigPath());
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error("the local kubeconfig has no current cluster");
  const user = `system:serviceaccount:${account.namespace}:${account.name}`;
  const config = new k8s.KubeConfig();
  config.loadFromOptions({
    clusters: [cluster],
    users: [{ name: user, token }],
    contexts: [{ name: user, cluster: cluster.name, user }],
    currentContext: user,
  });
  return config;
}

/** Writes `config` as a kubeconfig file (JSON, which every YAML reader accepts), readable by its owner only. */
export function writeKubeconfig(config: k8s.KubeConfig, path: string): string {
  writeFileSync(path, config.exportConfig(), { mode: 0o600 });
  return path;
}

/** One allowed (API group, resource, verb) triple: the unit `kubectl auth can-i --list` shows. */
export type Grant = `${string}/${string}:${string}`;

/** Every rule as triples, so two rule lists compare however their rules are grouped. */
export function grants(rules: readonly { readonly apiGroups?: readonly string[]; readonly resources?: readonly string[]; readonly verbs: readonly string[] }[]): Grant[] {
  const triples = rules.flatMap((rule) =>
    (rule.apiGroups ?? [""]).flatMap((group) => (rule.resources ?? []).flatMap((resource) => rule.verbs.map((verb): Grant => `${group}/${resource}:${verb}`))),
  );
  return [...new Set(triples)].sort();
}

/** What the account may do in `namespace`, as the API server evaluates it (SelfSubjectRulesReview, like `kubectl auth can-i --list`). */
export async function allowedInNamespace(config: k8s.KubeConfig, namespace: string): Promise<{ readonly grants: Grant[]; readonly incomplete: boolean }> {
  const review = await config.makeApiClient(k8s.AuthorizationV1Api).createSelfSubjectRulesReview({ body: { spec: { namespace } } });
  return { grants: grants(review.status?.resourceRules ?? []), incomplete: review.status?.incomplete === true };
}
