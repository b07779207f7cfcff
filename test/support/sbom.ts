/**
 * CycloneDX SBOMs for the supply-chain tests, generated the way SBOM tools for npm do: the installed packages'
 * `package.json` files, walked from an app's direct dependencies, turned into components by
 * @cyclonedx/cyclonedx-library's Node builder (licenses, external references) and serialized by its JSON serializer.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import * as CDX from "@cyclonedx/cyclonedx-library";

const repoRoot = join(__dirname, "..", "..");
// The SPDX expression parser the library recommends for its license factory (it ships no types).
const parseSpdxExpression = createRequire(__filename)("spdx-expression-parse") as (expression: string) => unknown;

type PackageJson = { readonly name: string; readonly version: string; readonly dependencies?: Record<string, string> } & Record<string, unknown>;

/** The sample app's runtime packages (`examples/sample-app` imports prom-client), plus `extra` package manifests. */
export function sampleAppSbom(extra: readonly PackageJson[] = []): unknown {
  return npmSbom(["prom-client"], extra);
}

export function npmSbom(direct: readonly string[], extra: readonly PackageJson[] = []): unknown {
  const builder = new CDX.Contrib.FromNodePackageJson.Builders.ComponentBuilder(
    new CDX.Contrib.FromNodePackageJson.Factories.ExternalReferenceFactory(),
    new CDX.Contrib.License.Factories.LicenseFactory((expression) => void parseSpdxExpression(expression)),
  );
  const bom = new CDX.Models.Bom();
  bom.metadata.component = new CDX.Models.Component(CDX.Enums.ComponentType.Application, "sample-app", { version: "1.1.0" });
  for (const manifest of [...installedClosure(direct), ...extra]) {
    const component = builder.makeComponent(manifest as CDX.Contrib.FromNodePackageJson.Types.NodePackageJson);
    if (component === undefined) continue;
    component.purl = npmPurl(manifest.name, manifest.version);
    component.bomRef.value = component.purl;
    bom.components.add(component);
  }
  const serializer = new CDX.Serialize.JsonSerializer(new CDX.Serialize.JSON.Normalize.Factory(CDX.Spec.Spec1dot5));
  return JSON.parse(serializer.serialize(bom, { sortLists: true })) as unknown;
}

/** Each package reachable from `direct` through `dependencies`, from the repository's top-level node_modules. */
function installedClosure(direct: readonly string[]): PackageJson[] {
  const seen = new Map<string, PackageJson>();
  const pending = [...direct];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    const file = join(repoRoot, "node_modules", name, "package.json");
    if (seen.has(name) || !existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, "utf8")) as PackageJson;
    seen.set(name, manifest);
    pending.push(...Object.keys(manifest.dependencies ?? {}));
  }
  return [...seen.values()];
}

function npmPurl(name: string, version: string): string {
  const [scope, bare] = name.startsWith("@") ? name.split("/", 2) : [undefined, name];
  const path = scope === undefined ? encodeURIComponent(bare ?? name) : `${encodeURIComponent(scope)}/${encodeURIComponent(bare ?? "")}`;
  return `pkg:npm/${path}@${encodeURIComponent(version)}`;
}
