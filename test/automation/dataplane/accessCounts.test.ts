import { describe, expect, it } from "vitest";
import { parseAccessLine } from "../../../automation/dataplane/accessCounts";

describe("parseAccessLine", () => {
  it("reads host, status and the last upstream's port", () => {
    expect(parseAccessLine("web.example.test 127.0.0.1:40001 200 0.004")).toEqual({ host: "web.example.test", upstreamPort: 40001, status: "200" });
    expect(parseAccessLine("web.example.test 127.0.0.1:40001, 127.0.0.1:40002 502 0.010")).toEqual({ host: "web.example.test", upstreamPort: 40002, status: "502" });
  });

  it("keeps requests no upstream served, and skips blank lines", () => {
    expect(parseAccessLine("nobody.test - 404 0.000")).toEqual({ host: "nobody.test", status: "404" });
    expect(parseAccessLine("")).toBeUndefined();
  });
});
