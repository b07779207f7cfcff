import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { auditDirectory } from "../../../automation/services/audit/location";

describe("auditDirectory", () => {
  it("keeps records beside a file backend's state", () => {
    expect(auditDirectory("file:///var/lib/pulumi", ".rollgate")).toBe("/var/lib/pulumi/.rollgate/audit");
  });

  it("expands a backend in the home directory", () => {
    expect(auditDirectory("file://~", ".rollgate", "/home/ci")).toBe("/home/ci/.rollgate/audit");
    expect(auditDirectory("file://~/state", ".rollgate", "/home/ci")).toBe("/home/ci/state/.rollgate/audit");
  });

  it("ignores the backend URL's query string", () => {
    expect(auditDirectory("file:///srv/state?no_legacy_url_encoding=true", ".rollgate")).toBe("/srv/state/.rollgate/audit");
  });

  it("falls back to the service's state directory for other backends or none", () => {
    expect(auditDirectory("s3://bucket/state", "/srv/rollgate")).toBe("/srv/rollgate/audit");
    expect(auditDirectory(undefined, "state")).toBe(resolve("state", "audit"));
  });
});
