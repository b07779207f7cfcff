/** Release provenance of stable workloads. */
import { releaseAnnotations } from "../../components/labels";
import { text } from "./values";

export interface ReleaseRule {
  /** Stable workloads must come from a release. */
  readonly requireRelease: boolean;
  /** Identities allowed to deploy to this environment. */
  readonly allowedDeployers: readonly string[];
}

/**
 * A stable workload carries the id of the release that set its image and a
 * deployer who may deploy to this environment.
 */
export function releaseProvenanceProblems(
  annotations: Readonly<Record<string, string>>,
  rule: ReleaseRule,
): string[] {
  if (!rule.requireRelease) {
    return [];
  }
  const problems: string[] = [];
  if (text(annotations[releaseAnnotations.releaseId]) === undefined) {
    problems.push(
      `stable workloads must change only through a release: annotation ${releaseAnnotations.releaseId} is missing`,
    );
  }
  const deployer = text(annotations[releaseAnnotations.deployedBy]);
  if (deployer === undefined) {
    problems.push(`annotation ${releaseAnnotations.deployedBy} must name the deployer`);
  } else if (!rule.allowedDeployers.includes(deployer)) {
    const allowed = rule.allowedDeployers.length === 0 ? "nobody is allowed" : `allowed: ${rule.allowedDeployers.join(", ")}`;
    problems.push(`deployer "${deployer}" must have permission to deploy to this environment (${allowed})`);
  }
  return problems;
}
