import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { configValues, withPlainConfig } from "../../../automation/engine/stackConfigFile";

describe("withPlainConfig", () => {
  it("sets the values and keeps the salt, secrets and other values", () => {
    const before = "encryptionsalt: v1:abc\nconfig:\n  rollgate:app: web\n  rollgate:canaryWeight: \"5\"\n  rollgate:token:\n    secure: v1:xyz\n";

    const after = withPlainConfig(before, { "rollgate:canaryWeight": "25", "rollgate:canaryImage": "web:2" }, "Pulumi.staging.yaml");

    expect(load(after)).toEqual({
      encryptionsalt: "v1:abc",
      config: {
        "rollgate:app": "web",
        "rollgate:canaryWeight": "25",
        "rollgate:canaryImage": "web:2",
        "rollgate:token": { secure: "v1:xyz" },
      },
    });
  });

  it("starts a file for a stack that has none yet", () => {
    expect(load(withPlainConfig(undefined, { "rollgate:canaryWeight": "0" }, "Pulumi.staging.yaml"))).toEqual({ config: { "rollgate:canaryWeight": "0" } });
  });

  it("refuses a file whose config is not a mapping, naming it", () => {
    expect(() => withPlainConfig("config: [1, 2]\n", { "rollgate:canaryWeight": "0" }, "Pulumi.staging.yaml")).toThrow(
      /Pulumi.staging.yaml: `config` is not a mapping/,
    );
  });
});

describe("configValues", () => {
  it("reads strings as they are, other values as JSON and secrets as a placeholder, as `pulumi config --json` shows them", () => {
    const content = "encryptionsalt: v1:abc\nconfig:\n  rollgate:app: web\n  rollgate:replicas: 3\n  rollgate:hosts: [a.example, b.example]\n  rollgate:token:\n    secure: v1:xyz\n";

    expect(configValues(content, "Pulumi.staging.yaml")).toEqual({
      "rollgate:app": "web",
      "rollgate:replicas": "3",
      "rollgate:hosts": '["a.example","b.example"]',
      "rollgate:token": "[secret]",
    });
  });

  it("reads nothing from a missing file or one without config", () => {
    expect(configValues(undefined, "x")).toEqual({});
    expect(configValues("encryptionsalt: v1:abc\n", "x")).toEqual({});
  });
});
