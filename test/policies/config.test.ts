import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import type { Policy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";

import { rollgatePolicies } from "../../policies/all";
import { configErrors, isEnforcementLevel } from "../../policies/checks/config";
import { isRecord } from "../../policies/checks/values";

const configDir = join(__dirname, "../../policies/config");
// `<env>.trust.json` beside them is the supply-chain trust policy, not a policy pack config (test/automation/supplyChain).
const configFiles = readdirSync(configDir).filter((file) => file.endsWith(".json") && !file.endsWith(".trust.json"));
const policiesByName = new Map<string, Policy>(rollgatePolicies.map((policy) => [policy.name, policy]));

function loadConfig(file: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(readFileSync(join(configDir, file), "utf8"));
  if (!isRecord(parsed)) {
    throw new Error(`${file} must hold a JSON object`);
  }
  return parsed;
}

/** Problems with one entry of a --policy-pack-config file, as the CLI reads it. */
function entryProblems(key: string, value: unknown): string[] {
  const policy = policiesByName.get(key);
  if (key !== "all" && policy === undefined) {
    return [`"${key}" names no policy`];
  }
  if (typeof value === "string") {
    return isEnforcementLevel(value) ? [] : [`"${key}": "${value}" is not an enforcement level`];
  }
  if (!isRecord(value)) {
    return [`"${key}" must be an enforcement level or an object`];
  }
  const { enforcementLevel, ...params } = value;
  const problems = isEnforcementLevel(enforcementLevel)
    ? []
    : [`"${key}": enforcementLevel ${JSON.stringify(enforcementLevel)} is not an enforcement level`];
  if (key === "all") {
    return Object.keys(params).length === 0 ? problems : [...problems, `"all" takes only an enforcementLevel`];
  }
  return [...problems, ...configErrors(policy?.configSchema, params).map((error) => `"${key}": ${error}`)];
}

function enforcement(file: string, policy: string): unknown {
  const entry = loadConfig(file)[policy];
  return isRecord(entry) ? entry.enforcementLevel : entry;
}

describe("policy config files", () => {
  it("exist for preview, staging and production", () => {
    expect(configFiles.sort()).toEqual(["preview.json", "production.json", "staging.json"]);
  });

  it.each(configFiles)("%s names only existing policies, with valid enforcement levels and parameters", (file) => {
    const problems = Object.entries(loadConfig(file)).flatMap(([key, value]) => entryProblems(key, value));

    expect(problems).toEqual([]);
  });

  it.each(configFiles)("%s sets the enforcement level of every policy explicitly", (file) => {
    const config = loadConfig(file);

    const unset = rollgatePolicies.filter((policy) => enforcement(file, policy.name) === undefined).map((p) => p.name);

    expect(unset).toEqual([]);
    expect(Object.keys(config)).not.toContain("environments");
  });

  it("requires digests and releases in production only", () => {
    const production = loadConfig("production.json");
    const staging = loadConfig("staging.json");

    expect(production["workload-image-pinned"]).toMatchObject({ requireDigest: true });
    expect(production["stable-image-through-release"]).toMatchObject({ enforcementLevel: "mandatory", requireRelease: true });
    expect(staging["workload-image-pinned"]).toMatchObject({ requireDigest: false });
    expect(staging["stable-image-through-release"]).toMatchObject({ requireRelease: false });
    expect(production["workload-image-verified"]).toMatchObject({ requireVerifiedDigest: true });
    expect(staging["workload-image-verified"]).toMatchObject({ enforcementLevel: "disabled" });
  });

  it("treats the whole stack as a preview only in the preview config", () => {
    expect(loadConfig("preview.json")["preview-no-public-load-balancers"]).toMatchObject({ stackIsPreview: true });
    expect(loadConfig("staging.json")["preview-no-public-load-balancers"]).toMatchObject({ stackIsPreview: false });
    expect(loadConfig("production.json")["preview-no-public-load-balancers"]).toMatchObject({ stackIsPreview: false });
  });

  it("asks for replicas and disruption budgets in production only", () => {
    for (const policy of ["workload-min-replicas", "workload-disruption-budget"]) {
      expect(enforcement("production.json", policy)).toBe("advisory");
      expect(enforcement("staging.json", policy)).toBe("disabled");
      expect(enforcement("preview.json", policy)).toBe("disabled");
    }
  });

  it("the entry check catches a misspelt policy, a bad level and an unknown parameter", () => {
    expect(entryProblems("workload-image-pined", "mandatory")).toEqual(['"workload-image-pined" names no policy']);
    expect(entryProblems("workload-image-pinned", { enforcementLevel: "strict" })).toEqual([
      '"workload-image-pinned": enforcementLevel "strict" is not an enforcement level',
    ]);
    expect(entryProblems("workload-image-pinned", { enforcementLevel: "mandatory", requireDigests: true })).toEqual([
      '"workload-image-pinned": `requireDigests` is not a parameter of this policy',
    ]);
    expect(entryProblems("all", "advisory")).toEqual([]);
  });
});

describe("the policy catalogue", () => {
  it("has unique kebab-case names, none of them the reserved name all", () => {
    const names = rollgatePolicies.map((policy) => policy.name);

    expect(new Set(names).size).toBe(names.length);
    expect(names.every((name) => /^[a-z]+(-[a-z]+)*$/.test(name))).toBe(true);
    expect(names).not.toContain("all");
  });

  it("describes every policy with a sentence starting 'Checks that'", () => {
    const bad = rollgatePolicies.filter((policy) => !/^Checks that .+\.$/.test(policy.description));

    expect(bad.map((policy) => policy.name)).toEqual([]);
  });

  it("declares an enforcement level for every policy and none in a config schema", () => {
    for (const policy of rollgatePolicies) {
      expect(isEnforcementLevel(policy.enforcementLevel)).toBe(true);
      expect(Object.keys(policy.configSchema?.properties ?? {})).not.toContain("enforcementLevel");
    }
  });

  it("gives every schema parameter a default that the schema accepts", () => {
    for (const policy of rollgatePolicies) {
      for (const [name, property] of Object.entries(policy.configSchema?.properties ?? {})) {
        expect(isRecord(property) && property.default !== undefined, `${policy.name}.${name} has a default`).toBe(true);
        const value = isRecord(property) ? property.default : undefined;
        expect(configErrors(policy.configSchema, { [name]: value })).toEqual([]);
      }
    }
  });
});
