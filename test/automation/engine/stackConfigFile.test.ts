import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { load } from "js-yaml";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { writePlainConfig } from "../../../automation/engine/stackConfigFile";

describe("writePlainConfig", () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "rg-config-"));
    file = join(dir, "Pulumi.staging.yaml");
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("sets the values and keeps the salt, secrets and other values", () => {
    writeFileSync(
      file,
      "encryptionsalt: v1:abc\nconfig:\n  rollgate:app: web\n  rollgate:canaryWeight: \"5\"\n  rollgate:token:\n    secure: v1:xyz\n",
    );

    writePlainConfig(file, { "rollgate:canaryWeight": "25", "rollgate:canaryImage": "web:2" });

    expect(load(readFileSync(file, "utf8"))).toEqual({
      encryptionsalt: "v1:abc",
      config: {
        "rollgate:app": "web",
        "rollgate:canaryWeight": "25",
        "rollgate:canaryImage": "web:2",
        "rollgate:token": { secure: "v1:xyz" },
      },
    });
  });

  it("creates the file when the stack has none yet", () => {
    writePlainConfig(file, { "rollgate:canaryWeight": "0" });

    expect(load(readFileSync(file, "utf8"))).toEqual({ config: { "rollgate:canaryWeight": "0" } });
  });

  it("refuses a file whose config is not a mapping, leaving it unchanged", () => {
    writeFileSync(file, "config: [1, 2]\n");

    expect(() => writePlainConfig(file, { "rollgate:canaryWeight": "0" })).toThrow(/`config` is not a mapping/);
    expect(readFileSync(file, "utf8")).toBe("config: [1, 2]\n");
  });
});
