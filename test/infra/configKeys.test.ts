import { describe, expect, it } from "vitest";
import { configKeys, stackConfigKeys } from "../../infra/configKeys";
import { defaultReleaseConfigKeys } from "../../automation/release/schemas";
import { previewConfigKeys } from "../../automation/services/previews/spec";

describe("stack config keys", () => {
  it("spells every key the program reads as `rollgate:<key>`", () => {
    expect(Object.entries(stackConfigKeys)).toEqual(configKeys.map((key) => [key, `rollgate:${key}`]));
  });

  it("gives the service's previews and releases only keys the program reads", () => {
    const programKeys = new Set<string>(Object.values(stackConfigKeys));

    expect([...Object.values(previewConfigKeys), ...Object.values(defaultReleaseConfigKeys)].filter((key) => !programKeys.has(key))).toEqual([]);
  });
});
