/** Image references from a template such as `ghcr.io/acme/app:pr-{pr}-{sha}`. */
import { parseImageReference } from "../../../components/image";

export const templatePlaceholders = ["pr", "sha", "shortSha"] as const;

export interface TemplateValues {
  readonly pr: number;
  /** Full 40-character commit SHA. */
  readonly sha: string;
}

export function renderImageTemplate(template: string, values: TemplateValues): string {
  const replacements: Record<string, string> = { pr: String(values.pr), sha: values.sha, shortSha: values.sha.slice(0, 7) };
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => replacements[name] ?? whole);
}

/** Why a template cannot produce valid image references, or `undefined` when it can. */
export function imageTemplateProblem(template: string): string | undefined {
  const unknown = [...template.matchAll(/\{(\w*)\}/g)]
    .map((match) => match[1] ?? "")
    .filter((name) => !(templatePlaceholders as readonly string[]).includes(name));
  if (unknown.length > 0) {
    return `unknown placeholder {${unknown[0]}}; use ${templatePlaceholders.map((name) => `{${name}}`).join(", ")}`;
  }
  const sample = renderImageTemplate(template, { pr: 1234, sha: "0123456789abcdef0123456789abcdef01234567" });
  if (!parseImageReference(sample)) return `does not render to a valid OCI image reference (e.g. ${sample})`;
  return undefined;
}
