import { describe, expect, it } from "vitest";
import { parseStartReleaseRequest, type Release } from "../../../../automation/release/schemas";
import { createRelease } from "../../../../automation/release/stateMachine";
import { permittedCommands } from "../../../../automation/services/releases/access";

const at = new Date("2026-03-01T10:00:00Z");

function release(overrides: Partial<Release> = {}): Release {
  const base = createRelease(parseStartReleaseRequest({ environment: "production", image: "registry.example/web:2.0.0" }), {
    id: "rel-1",
    actor: "alice",
    previousImage: "registry.example/web:1.0.0",
    at: new Date("2026-03-01T09:00:00Z"),
  });
  return { ...base, ...overrides };
}

const awaiting = (): Release => release({ status: "awaitingApproval", approval: { expiresAt: "2026-03-01T13:00:00.000Z" } });

describe("the commands a token may send to a release", () => {
  it("offers a progressing release's steering to a token with releases:<environment>, never approval", () => {
    expect(permittedCommands({ name: "alice", scopes: ["releases:production"] }, release(), at)).toEqual(["pause", "promote", "abort"]);
  });

  it("offers resume, promote and abort of a paused release, and nothing to another environment's token", () => {
    const paused = release({ status: "paused" });
    expect(permittedCommands({ name: "alice", scopes: ["releases:production"] }, paused, at)).toEqual(["resume", "promote", "abort"]);
    expect(permittedCommands({ name: "alice", scopes: ["releases:staging", "approve:staging"] }, paused, at)).toEqual([]);
  });

  it("offers approve and reject to a second person with approve:<environment>, but only reject to the starter", () => {
    expect(permittedCommands({ name: "bob", scopes: ["approve:production"] }, awaiting(), at)).toEqual(["approve", "reject"]);
    expect(permittedCommands({ name: "alice", scopes: ["approve:production", "releases:production"] }, awaiting(), at)).toEqual(["abort", "reject"]);
  });

  it("offers nothing for a finished release, even to `*`", () => {
    expect(permittedCommands({ name: "root", scopes: ["*"] }, release({ status: "succeeded", finishedAt: at.toISOString() }), at)).toEqual([]);
  });
});
