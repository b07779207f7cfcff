import { describe, expect, it } from "vitest";
import { urnsToRefresh } from "../../../automation/engine/pendingOperations";

describe("urnsToRefresh", () => {
  it("keeps the resources a crashed run was updating or deleting, once each, and drops pending creates", () => {
    const pending = [
      { resource: { urn: "urn:route" }, type: "updating" },
      { resource: { urn: "urn:route" }, type: "updating" },
      { resource: { urn: "urn:old" }, type: "deleting" },
      { resource: { urn: "urn:new" }, type: "creating" },
      { resource: {}, type: "updating" },
    ];

    expect(urnsToRefresh(pending)).toEqual(["urn:route", "urn:old"]);
  });
});
