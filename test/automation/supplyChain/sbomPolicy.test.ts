import { describe, expect, it } from "vitest";

import { sbomFindings, sbomPackages } from "../../../automation/supplyChain/sbomPolicy";
import { fixture } from "./signing";

const rules = {
  deniedLicenses: ["AGPL-3.0-only", "WTFPL"],
  deniedPackages: [{ purl: "pkg:npm/event-stream", versions: ">=3.3.6 <3.3.7" }],
};

describe("sbomFindings", () => {
  it("reports denied packages and licenses of a CycloneDX document", () => {
    expect(sbomFindings(fixture("cyclonedx-denied.json"), rules)).toEqual([
      "sbom: package pkg:npm/event-stream@3.3.6 is denied (pkg:npm/event-stream@>=3.3.6 <3.3.7)",
      "sbom: license AGPL-3.0-only of pkg:npm/%40acme/ghostdb@1.0.0 is denied",
    ]);
  });

  it("reports denied packages and licenses of an SPDX document", () => {
    expect(sbomFindings(fixture("spdx-denied.json"), rules)).toEqual([
      "sbom: license WTFPL of pkg:npm/left-pad@1.3.0 is denied",
      "sbom: package pkg:npm/event-stream@3.3.6 is denied (pkg:npm/event-stream@>=3.3.6 <3.3.7)",
      "sbom: license AGPL-3.0-only of busybox is denied",
    ]);
  });

  it("finds nothing when no version falls in a denied range", () => {
    expect(sbomFindings(fixture("cyclonedx-clean.json"), rules)).toEqual([]);
  });

  it("refuses a document that is neither CycloneDX nor SPDX", () => {
    expect(sbomFindings({ hello: "world" }, rules)).toEqual(["sbom: attestation is neither a CycloneDX nor an SPDX JSON document"]);
  });
});

describe("sbomFindings with a scoped package", () => {
  it("matches a denied scope written with @ against a PURL that escapes it", () => {
    const scoped = { deniedLicenses: [], deniedPackages: [{ purl: "pkg:npm/@acme/ghostdb", versions: "<2" }] };

    expect(sbomFindings(fixture("cyclonedx-denied.json"), scoped)).toEqual([
      "sbom: package pkg:npm/%40acme/ghostdb@1.0.0 is denied (pkg:npm/@acme/ghostdb@<2)",
    ]);
  });
});

describe("sbomPackages", () => {
  it("skips SPDX licenses given as NOASSERTION", () => {
    expect(sbomPackages(fixture("spdx-denied.json"))?.[0]).toEqual({ id: "pkg:npm/left-pad@1.3.0", purl: "pkg:npm/left-pad@1.3.0", licenses: ["WTFPL"] });
  });
});
