import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { sharedStateDirectory } from "../../../automation/support/sharedStateDirectory";

describe("sharedStateDirectory", () => {
  it("keeps records beside a file backend's state", () => {
    expect(sharedStateDirectory("audit", "file:///var/lib/pulumi", ".rollgate")).toBe("/var/lib/pulumi/.rollgate/audit");
  });

  it("expands a backend in the home directory", () => {
    expect(sharedStateDirectory("audit", "file://~", ".rollgate", "/home/ci")).toBe("/home/ci/.rollgate/audit");
    expect(sharedStateDirectory("audit", "file://~/state", ".rollgate", "/home/ci")).toBe("/home/ci/state/.rollgate/audit");
  });

  it("ignores the backend URL's query string", () => {
    expect(sharedStateDirectory("audit", "file:///srv/state?no_legacy_url_encoding=true", ".rollgate")).toBe("/srv/state/.rollgate/audit");
  });

  it("falls back to the service's state directory for other backends or none", () => {
    expect(sharedStateDirectory("audit", "s3://bucket/state", "/srv/rollgate")).toBe("/srv/rollgate/audit");
    expect(sharedStateDirectory("audit", undefined, "state")).toBe(resolve("state", "audit"));
  });
});
