/** The Sigstore trusted root file: refused at once, naming the file and what is wrong with it. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadTrustedRoot } from "../../../automation/supplyChain/trustedRoot";

const dir = mkdtempSync(join(tmpdir(), "rg-unit-root-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("loadTrustedRoot", () => {
  it("refuses a file that is not JSON, naming it", () => {
    const path = file("broken.json", "{ nope");

    expect(() => loadTrustedRoot(path)).toThrow(new RegExp(`Sigstore trusted root ${path} cannot be used: .*JSON`));
  });

  it("refuses JSON that is not a trusted root, naming each missing part", () => {
    const path = file("empty.json", JSON.stringify({ mediaType: "application/json", certificateAuthorities: [] }));

    expect(() => loadTrustedRoot(path)).toThrow(
      "`mediaType` must be a Sigstore trusted root media type; `certificateAuthorities` must list at least one certificate authority (Fulcio); `tlogs` Required",
    );
  });

  it("refuses a missing file", () => {
    expect(() => loadTrustedRoot(join(dir, "absent.json"))).toThrow(/ENOENT/);
  });
});
