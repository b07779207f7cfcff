import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";

const root = join(__dirname, "../..");

interface Update {
  readonly "package-ecosystem": string;
  readonly directory?: string;
  readonly directories?: readonly string[];
  readonly schedule: { readonly interval: string };
}

const config = load(readFileSync(join(root, ".github/dependabot.yml"), "utf8")) as { version: number; updates: Update[] };
const directoriesOf = (ecosystem: string) =>
  config.updates.filter((update) => update["package-ecosystem"] === ecosystem).flatMap((update) => update.directories ?? [update.directory ?? ""]);

function goModules(): string[] {
  return readdirSync(join(root, "scripts"), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name === "go.mod")
    .map((entry) => `/${relative(root, dirname(join(entry.parentPath, entry.name)))}`)
    .sort();
}

describe("dependabot configuration", () => {
  it("keeps the SHA-pinned actions and the npm packages current", () => {
    expect(config.version).toBe(2);
    expect(directoriesOf("github-actions")).toEqual(["/"]);
    expect(directoriesOf("npm")).toEqual(["/"]);
  });

  it("covers every Go module the toolchain builds from", () => {
    expect([...directoriesOf("gomod")].sort()).toEqual(goModules());
  });

  it("keeps the Dockerfile's base image digests current", () => {
    expect(directoriesOf("docker")).toEqual(["/"]);
  });

  it("checks every ecosystem on a schedule", () => {
    expect(config.updates.every((update) => ["daily", "weekly", "monthly"].includes(update.schedule.interval))).toBe(true);
  });
});
