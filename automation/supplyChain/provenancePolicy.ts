/**
 * The provenance check: reads the builder and source of a SLSA provenance
 * predicate (v1 or v0.2) and reports what the trust policy does not allow.
 */
import { record } from "../../components/untyped";
import type { TrustPolicy } from "./trustPolicy";

export const SLSA_V1_PREDICATE = "https://slsa.dev/provenance/v1";
export const SLSA_V02_PREDICATE = "https://slsa.dev/provenance/v0.2";
export const PROVENANCE_PREDICATES: readonly string[] = [SLSA_V1_PREDICATE, SLSA_V02_PREDICATE];

export interface BuildOrigin {
  readonly builderId?: string;
  /** Source repository URI, e.g. `https://github.com/acme/app` or `git+https://github.com/acme/app@refs/heads/main`. */
  readonly repository?: string;
  readonly ref?: string;
}

type ProvenanceRules = NonNullable<TrustPolicy["provenance"]>;

/** Builder and source of a provenance predicate of `predicateType`. */
export function buildOrigin(predicateType: string, predicate: unknown): BuildOrigin {
  return predicateType === SLSA_V02_PREDICATE ? originV02(predicate) : originV1(predicate);
}

export function provenanceFindings(origin: BuildOrigin, rules: ProvenanceRules): string[] {
  const findings: string[] = [];
  if (origin.builderId === undefined || !rules.allowedBuilders.includes(origin.builderId)) {
    findings.push(`provenance: builder ${origin.builderId ?? "(none)"} is not an allowed builder`);
  }
  if (!matchesAny(origin.repository, rules.allowedRepositories)) {
    findings.push(`provenance: source repository ${origin.repository ?? "(none)"} is not allowed`);
  }
  if (!matchesAny(origin.ref, rules.allowedRefs)) {
    findings.push(`provenance: source ref ${origin.ref ?? "(none)"} is not allowed`);
  }
  return findings;
}

/** v1: `runDetails.builder.id`, source from the GitHub Actions workflow's external parameters. */
function originV1(predicate: unknown): BuildOrigin {
  const workflow = record(record(record(record(predicate).buildDefinition).externalParameters).workflow);
  return origin(record(record(record(predicate).runDetails).builder).id, workflow.repository, workflow.ref);
}

/** v0.2: `builder.id`; `invocation.configSource.uri` is `git+<repo>@<ref>`, the entry point names the workflow file. */
function originV02(predicate: unknown): BuildOrigin {
  const configSource = record(record(record(predicate).invocation).configSource);
  const uri = typeof configSource.uri === "string" ? configSource.uri : undefined;
  const [repository, ref] = uri === undefined ? [] : splitSourceUri(uri);
  return origin(record(record(predicate).builder).id, repository, ref);
}

function splitSourceUri(uri: string): [string, string | undefined] {
  const withoutScheme = uri.replace(/^git\+/, "");
  const at = withoutScheme.lastIndexOf("@");
  return at === -1 ? [withoutScheme, undefined] : [withoutScheme.slice(0, at), withoutScheme.slice(at + 1)];
}

function origin(builderId: unknown, repository: unknown, ref: unknown): BuildOrigin {
  return {
    ...(typeof builderId === "string" ? { builderId } : {}),
    ...(typeof repository === "string" ? { repository } : {}),
    ...(typeof ref === "string" ? { ref } : {}),
  };
}

function matchesAny(value: string | undefined, patterns: readonly string[]): boolean {
  return value !== undefined && patterns.some((pattern) => new RegExp(pattern).test(value));
}
