import type { PolicyConfigSchema } from "@pulumi/policy";
import { describe, expect, it } from "vitest";

import { configErrors, readConfig, withDefaults } from "../../../policies/checks/config";

const schema: PolicyConfigSchema = {
  properties: {
    minReplicas: { type: "integer", minimum: 1, maximum: 10, default: 2 },
    names: { type: "array", items: { type: "string", minLength: 1 }, uniqueItems: true, default: [] },
    mode: { type: "string", enum: ["strict", "lenient"] },
    strict: { type: "boolean", default: false },
  },
  required: ["mode"],
};

describe("configErrors", () => {
  it("accepts values that match the schema", () => {
    expect(configErrors(schema, { minReplicas: 3, names: ["a", "b"], mode: "strict", strict: true })).toEqual([]);
  });

  it("reports an unknown parameter", () => {
    expect(configErrors(schema, { mode: "strict", minReplica: 3 })).toEqual(["`minReplica` is not a parameter of this policy"]);
  });

  it("reports a missing required parameter", () => {
    expect(configErrors(schema, {})).toEqual(["`mode` is required"]);
  });

  it("reports wrong types", () => {
    expect(configErrors(schema, { mode: "strict", minReplicas: 2.5, strict: "yes" })).toEqual([
      "`minReplicas` must be of type integer",
      "`strict` must be of type boolean",
    ]);
  });

  it("reports values out of range, outside the enum, empty or repeated", () => {
    expect(configErrors(schema, { mode: "loose", minReplicas: 0, names: ["a", "", "a"] })).toEqual([
      '`mode` must be one of "strict", "lenient"',
      "`minReplicas` must be at least 1",
      "`names[1]` must be at least 1 characters long",
      "`names` must not repeat items",
    ]);
    expect(configErrors(schema, { mode: "strict", minReplicas: 11 })).toEqual(["`minReplicas` must be at most 10"]);
  });
});

describe("withDefaults", () => {
  it("fills defaults under the given values", () => {
    expect(withDefaults(schema, { minReplicas: 4 })).toEqual({ minReplicas: 4, names: [], strict: false });
  });
});

describe("readConfig", () => {
  it("returns defaults merged with the given parameters", () => {
    expect(readConfig("p", schema, { mode: "lenient" })).toEqual({ minReplicas: 2, names: [], strict: false, mode: "lenient" });
  });

  it("throws, naming the policy, on invalid parameters", () => {
    expect(() => readConfig("workload-min-replicas", schema, { mode: "strict", minReplicas: "two" })).toThrow(
      "Invalid configuration for policy `workload-min-replicas`: `minReplicas` must be of type integer",
    );
  });
});
