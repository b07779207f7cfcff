import { describe, expect, it } from "vitest";

import { parsePackageUrl } from "../../../automation/supplyChain/purl";

describe("parsePackageUrl", () => {
  it("splits name and version", () => {
    expect(parsePackageUrl("pkg:npm/event-stream@3.3.6")).toEqual({ name: "pkg:npm/event-stream", version: "3.3.6" });
  });

  it("decodes an escaped npm scope and drops qualifiers and subpath", () => {
    expect(parsePackageUrl("pkg:NPM/%40acme/lib@1.0.0?arch=x64#dist")).toEqual({ name: "pkg:npm/@acme/lib", version: "1.0.0" });
  });

  it("keeps a version-less PURL without a version", () => {
    expect(parsePackageUrl("pkg:deb/debian/curl")).toEqual({ name: "pkg:deb/debian/curl" });
  });

  it("refuses what is not a PURL", () => {
    expect(parsePackageUrl("npm:event-stream@3.3.6")).toBeUndefined();
  });
});
