/**
 * Which pull_request deliveries change a preview: a pure decision over the
 * event and the service's trigger policy. Review-stack tools work the same
 * way: previews for every PR or only labelled ones, and code from forks
 * deployed only once a maintainer has opted it in with the label.
 */
export interface PreviewTriggerPolicy {
  /** `always`: every PR of the repository gets a preview; `label`: only PRs carrying `label`. */
  readonly trigger: "always" | "label";
  readonly label: string;
  /** PRs whose head is another repository: `label` (only once labelled), `allow` (like any PR) or `skip`. */
  readonly forks: "label" | "allow" | "skip";
  /** `owner/name` the previews are for; deliveries of other repositories are ignored. */
  readonly repository?: string;
}

export const defaultPreviewTriggerPolicy: PreviewTriggerPolicy = { trigger: "always", label: "preview", forks: "label" };

export interface PullRequestFacts {
  readonly action: string;
  readonly pr: number;
  /** `owner/name` of the repository the delivery is about. */
  readonly repository: string;
  readonly fromFork: boolean;
  readonly labels: readonly string[];
  /** The label added or removed, for `labeled` and `unlabeled`. */
  readonly changedLabel?: string;
}

export type PreviewDecision = { readonly kind: "deploy" } | { readonly kind: "destroy" } | { readonly kind: "ignore"; readonly reason: string };

const deployActions = new Set(["opened", "reopened", "synchronize"]);

/** Why the PR may not have a preview under `policy`, or undefined when it may. */
function refusal(facts: PullRequestFacts, policy: PreviewTriggerPolicy): string | undefined {
  const labelled = facts.labels.includes(policy.label);
  if (facts.fromFork) {
    if (policy.forks === "skip") return `PR ${facts.pr} comes from a fork; previews of forks are off`;
    if (policy.forks === "label" && !labelled) return `PR ${facts.pr} comes from a fork; a maintainer adds the \`${policy.label}\` label to deploy it`;
  }
  if (policy.trigger === "label" && !labelled) return `PR ${facts.pr} has no \`${policy.label}\` label`;
  return undefined;
}

export function decidePreview(facts: PullRequestFacts, policy: PreviewTriggerPolicy): PreviewDecision {
  if (policy.repository !== undefined && facts.repository.toLowerCase() !== policy.repository.toLowerCase()) {
    return { kind: "ignore", reason: `repository ${facts.repository} is not ${policy.repository}, the one previews are for` };
  }
  if (facts.action === "closed") return { kind: "destroy" };
  const ourLabel = facts.changedLabel === policy.label;
  if (facts.action === "unlabeled" && ourLabel) {
    return refusal(facts, policy) === undefined ? { kind: "ignore", reason: "the PR keeps its preview without the label" } : { kind: "destroy" };
  }
  if (deployActions.has(facts.action) || (facts.action === "labeled" && ourLabel)) {
    const refused = refusal(facts, policy);
    return refused === undefined ? { kind: "deploy" } : { kind: "ignore", reason: refused };
  }
  return { kind: "ignore", reason: `pull_request action "${facts.action}" needs no preview change` };
}
