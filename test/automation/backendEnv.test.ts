import { describe, expect, it } from "vitest";
import { pulumiBackendEnv, pulumiBackendUrl } from "../../automation/engine/backendEnv";

describe("the engine's backend environment", () => {
  it("keeps Pulumi's postgres backend to two parallel listings unless told otherwise", () => {
    expect(pulumiBackendEnv("postgres://db/rollgate", {})).toEqual({ PULUMI_BACKEND_URL: "postgres://db/rollgate", PULUMI_DIY_BACKEND_PARALLEL: "2" });
    expect(pulumiBackendEnv("postgres://db/rollgate", { PULUMI_DIY_BACKEND_PARALLEL: "1" })).toEqual({ PULUMI_BACKEND_URL: "postgres://db/rollgate" });
    expect(pulumiBackendEnv("file:///srv/state", {})).toEqual({ PULUMI_BACKEND_URL: "file:///srv/state" });
  });

  it("writes a postgresql:// database URL the way Pulumi's CLI knows it", () => {
    expect(pulumiBackendUrl("postgresql://u:p@db:5432/rollgate?sslmode=disable")).toBe("postgres://u:p@db:5432/rollgate?sslmode=disable");
  });
});
