import { describe, expect, it } from "vitest";
import { bearer, createHarness, tokens } from "../support/harness";

interface Parameter {
  readonly name: string;
  readonly in: string;
}

describe("the OpenAPI document", () => {
  it("documents the audit, DORA and dashboard endpoints with their query parameters and scopes", async () => {
    const h = createHarness();

    const { body } = await h.http.get("/api/v1/openapi.json").set("Authorization", bearer(tokens.reader));
    const audit = body.paths["/api/v1/audit"].get;
    const dora = body.paths["/api/v1/dora"].get;

    expect(audit.parameters.map((parameter: Parameter) => parameter.name)).toEqual(["environment", "since", "limit", "cursor"]);
    expect(audit.description).toBe("Required scope: `audit:read`.");
    expect(Object.keys(audit.responses)).toEqual(["200", "400", "401", "403"]);
    expect(dora.parameters.map((parameter: Parameter) => parameter.name)).toEqual(["environment", "window"]);
    expect(dora.description).toContain("releases:read");
    expect(body.paths["/"].get.responses["200"].content).toHaveProperty(["text/html; charset=utf-8"]);
  });
});
