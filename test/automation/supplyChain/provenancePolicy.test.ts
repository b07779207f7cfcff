import { describe, expect, it } from "vitest";

import { buildOrigin, provenanceFindings, SLSA_V02_PREDICATE, SLSA_V1_PREDICATE } from "../../../automation/supplyChain/provenancePolicy";
import { fixture } from "./signing";

const rules = {
  allowedBuilders: ["https://github.com/actions/runner/github-hosted"],
  allowedRepositories: ["^https://github\\.com/rollgate/[a-z0-9-]+$"],
  allowedRefs: ["^refs/heads/main$", "^refs/tags/v[0-9.]+$"],
};

describe("buildOrigin", () => {
  it("reads builder, repository and ref of SLSA v1 provenance", () => {
    expect(buildOrigin(SLSA_V1_PREDICATE, fixture("provenance-v1.json"))).toEqual({
      builderId: "https://github.com/actions/runner/github-hosted",
      repository: "https://github.com/rollgate/sample-app",
      ref: "refs/heads/main",
    });
  });

  it("reads builder and the config source of SLSA v0.2 provenance", () => {
    expect(buildOrigin(SLSA_V02_PREDICATE, fixture("provenance-v0.2.json"))).toEqual({
      builderId: "https://evil.example/self-hosted-builder",
      repository: "https://github.com/mallory/sample-app",
      ref: "refs/heads/feature",
    });
  });
});

describe("provenanceFindings", () => {
  it("accepts an allowed builder building an allowed repository and ref", () => {
    expect(provenanceFindings(buildOrigin(SLSA_V1_PREDICATE, fixture("provenance-v1.json")), rules)).toEqual([]);
  });

  it("reports an untrusted builder, repository and ref", () => {
    expect(provenanceFindings(buildOrigin(SLSA_V02_PREDICATE, fixture("provenance-v0.2.json")), rules)).toEqual([
      "provenance: builder https://evil.example/self-hosted-builder is not an allowed builder",
      "provenance: source repository https://github.com/mallory/sample-app is not allowed",
      "provenance: source ref refs/heads/feature is not allowed",
    ]);
  });

  it("reports provenance that names no builder", () => {
    expect(provenanceFindings({}, rules)[0]).toBe("provenance: builder (none) is not an allowed builder");
  });
});
