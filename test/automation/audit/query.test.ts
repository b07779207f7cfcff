import { describe, expect, it } from "vitest";
import { auditPage, MAX_AUDIT_LIMIT } from "../../../automation/services/audit/query";
import { auditRecord } from "./support";

const records = [
  auditRecord("2030-01-01T00:00:00.000Z", "preview"),
  auditRecord("2030-01-01T01:00:00.000Z", "production"),
  auditRecord("2030-01-01T02:00:00.000Z", "preview"),
  auditRecord("2030-01-01T03:00:00.000Z", "staging"),
  auditRecord("2030-01-01T04:00:00.000Z", "production"),
].reverse();

describe("auditPage", () => {
  it("returns the newest records up to the limit, with a cursor for the rest", () => {
    const page = auditPage(records, { limit: 2 });

    expect(page.records).toEqual(records.slice(0, 2));
    expect(page.nextCursor).toBe(records[1]?.id);
  });

  it("continues after the cursor until the last page, which has no cursor", () => {
    const first = auditPage(records, { limit: 2 });
    const second = auditPage(records, { limit: 2, cursor: first.nextCursor ?? "" });
    const third = auditPage(records, { limit: 2, cursor: second.nextCursor ?? "" });

    expect([...first.records, ...second.records, ...third.records]).toEqual(records);
    expect(third.nextCursor).toBeNull();
  });

  it("has no cursor when the page holds exactly the remaining records", () => {
    expect(auditPage(records, { limit: 5 }).nextCursor).toBeNull();
  });

  it("filters by environment", () => {
    const page = auditPage(records, { environment: "production" });

    expect(page.records.map((record) => record.at)).toEqual(["2030-01-01T04:00:00.000Z", "2030-01-01T01:00:00.000Z"]);
  });

  it("filters by time, including records at the instant given", () => {
    const page = auditPage(records, { since: new Date("2030-01-01T03:00:00.000Z") });

    expect(page.records.map((record) => record.at)).toEqual(["2030-01-01T04:00:00.000Z", "2030-01-01T03:00:00.000Z"]);
  });

  it("paginates within a filter", () => {
    const first = auditPage(records, { environment: "preview", limit: 1 });
    const second = auditPage(records, { environment: "preview", limit: 1, cursor: first.nextCursor ?? "" });

    expect([first.records[0]?.at, second.records[0]?.at]).toEqual(["2030-01-01T02:00:00.000Z", "2030-01-01T00:00:00.000Z"]);
    expect(second.nextCursor).toBeNull();
  });

  it("clamps the limit to what the API allows", () => {
    expect(auditPage(records, { limit: MAX_AUDIT_LIMIT * 10 }).records).toHaveLength(5);
    expect(auditPage(records, { limit: 0 }).records).toHaveLength(1);
  });

  it("answers an empty page for an empty trail", () => {
    expect(auditPage([], {})).toEqual({ records: [], nextCursor: null });
  });
});
