/**
 * The SBOM check: reads the packages of a CycloneDX or SPDX JSON document and
 * reports those the trust policy denies, by license or by PURL and version.
 */
import { satisfies } from "semver";
import { isRecord, list, record, type Props } from "../../components/untyped";
import { parsePackageUrl } from "./purl";
import type { TrustPolicy } from "./trustPolicy";

export const CYCLONEDX_PREDICATE = "https://cyclonedx.org/bom";
export const SPDX_PREDICATE = "https://spdx.dev/Document";

export interface SbomPackage {
  /** The PURL, or the package's name when the SBOM gives none. */
  readonly id: string;
  readonly purl?: string;
  /** License expressions as written (`MIT`, `MIT OR Apache-2.0`). */
  readonly licenses: readonly string[];
}

type SbomRules = TrustPolicy["sbom"];

/** Packages of a CycloneDX (`components`) or SPDX (`packages`) JSON document; `undefined` when it is neither. */
export function sbomPackages(document: unknown): SbomPackage[] | undefined {
  if (!isRecord(document)) return undefined;
  if (document.bomFormat === "CycloneDX" || Array.isArray(document.components)) return records(document.components).map(cycloneDxPackage);
  if (typeof document.spdxVersion === "string" || Array.isArray(document.packages)) return records(document.packages).map(spdxPackage);
  return undefined;
}

/** Findings such as `sbom: package pkg:npm/event-stream@3.3.6 is denied (pkg:npm/event-stream@>=3.3.6 <3.3.7)`. */
export function sbomFindings(document: unknown, rules: SbomRules): string[] {
  const packages = sbomPackages(document);
  if (packages === undefined) return ["sbom: attestation is neither a CycloneDX nor an SPDX JSON document"];
  return packages.flatMap((pkg) => [...packageFindings(pkg, rules), ...licenseFindings(pkg, rules)]);
}

function packageFindings(pkg: SbomPackage, rules: SbomRules): string[] {
  const purl = pkg.purl === undefined ? undefined : parsePackageUrl(pkg.purl);
  if (purl?.version === undefined) return [];
  const { version } = purl;
  return rules.deniedPackages
    .filter((denied) => parsePackageUrl(denied.purl)?.name === purl.name && satisfies(version, denied.versions, { loose: true }))
    .map((denied) => `sbom: package ${pkg.id} is denied (${denied.purl}@${denied.versions})`);
}

// Conservative on purpose: a denied id anywhere in an expression is reported, even on one side of an OR.
function licenseFindings(pkg: SbomPackage, rules: SbomRules): string[] {
  const denied = new Set(rules.deniedLicenses);
  const found = new Set(pkg.licenses.flatMap(licenseIds).filter((id) => denied.has(id)));
  return [...found].map((id) => `sbom: license ${id} of ${pkg.id} is denied`);
}

function licenseIds(expression: string): string[] {
  return expression
    .replace(/[()]/g, " ")
    .split(/\s+/)
    .filter((token) => token !== "" && !/^(AND|OR|WITH)$/i.test(token));
}

function cycloneDxPackage(component: Props): SbomPackage {
  const licenses = records(component.licenses).flatMap((choice) => {
    if (typeof choice.expression === "string") return [choice.expression];
    const license = record(choice.license);
    return typeof license.id === "string" ? [license.id] : [];
  });
  return withId(text(component.purl), text(component.name), licenses);
}

function spdxPackage(pkg: Props): SbomPackage {
  const purl = records(pkg.externalRefs).find((ref) => ref.referenceType === "purl")?.referenceLocator;
  const licenses = [pkg.licenseConcluded, pkg.licenseDeclared].filter(
    (value): value is string => typeof value === "string" && value !== "NOASSERTION" && value !== "NONE",
  );
  return withId(text(purl), text(pkg.name), licenses);
}

function withId(purl: string | undefined, name: string | undefined, licenses: string[]): SbomPackage {
  const id = purl ?? name ?? "(unnamed package)";
  return purl === undefined ? { id, licenses } : { id, purl, licenses };
}

function records(value: unknown): Props[] {
  return list(value).filter(isRecord);
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
