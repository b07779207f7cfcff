import { describe, expect, it } from "vitest";
import { parseAuthChallenge } from "../../../../automation/supplyChain/registry/authChallenge";

describe("parseAuthChallenge", () => {
  it("reads a Bearer challenge's realm, service and scope, quoted or not", () => {
    expect(parseAuthChallenge('Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:rollgate/app:pull"')).toEqual({
      scheme: "bearer",
      params: { realm: "https://ghcr.io/token", service: "ghcr.io", scope: "repository:rollgate/app:pull" },
    });
    expect(parseAuthChallenge("Basic realm=registry")).toEqual({ scheme: "basic", params: { realm: "registry" } });
  });

  it("keeps commas and escaped quotes inside quoted values", () => {
    expect(parseAuthChallenge('Bearer realm="https://auth/token", scope="repository:a:pull,push", error="say \\"hi\\""')?.params).toEqual({
      realm: "https://auth/token",
      scope: "repository:a:pull,push",
      error: 'say "hi"',
    });
  });

  it("is undefined without a header", () => {
    expect(parseAuthChallenge(null)).toBeUndefined();
    expect(parseAuthChallenge("  ")).toBeUndefined();
  });
});
