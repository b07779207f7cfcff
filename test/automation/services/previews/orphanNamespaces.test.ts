/**
 * Namespaces a crashed create left unrecorded (labelled with a PR, owned by
 * no stack) are deleted after the PR's destroy and, for PRs with no preview
 * at all, by the reaper once they are older than the grace period.
 */
import { describe, expect, it } from "vitest";
import { createHarness } from "../../support/harness";
import { FakePreviewNamespaces } from "./fakeNamespaces";

// The harness clock reads 2030-01-02T00:00Z.
const longAgo = "2030-01-01T00:00:00Z";

describe("sweeping preview namespaces no stack owns", () => {
  it("deletes the PR's leftover namespaces after its destroy, and says so in the operation log", async () => {
    const namespaces = new FakePreviewNamespaces();
    const h = createHarness({ previewNamespaces: namespaces });
    h.engine.seedPreview(1, { "rollgate:ttlHours": "72" });
    namespaces.add("pr-1-main-abc12", 1, longAgo);
    namespaces.add("pr-2-main-def34", 2, longAgo);

    const accepted = await h.rollgate.previews.destroyIfPresent(1, "ada");
    await h.idle();

    expect(namespaces.removed).toEqual(["pr-1-main-abc12"]);
    expect(namespaces.names()).toEqual(["pr-2-main-def34"]);
    const log = await h.operations.entries(accepted!.operation.id, { kind: "log" });
    expect(log.some((entry) => JSON.stringify(entry).includes("deleted namespace pr-1-main-abc12"))).toBe(true);
  });

  it("skips namespaces already terminating", async () => {
    const namespaces = new FakePreviewNamespaces();
    const h = createHarness({ previewNamespaces: namespaces });
    h.engine.seedPreview(1, { "rollgate:ttlHours": "72" });
    namespaces.add("pr-1-main-abc12", 1, longAgo, true);

    await h.rollgate.previews.destroyIfPresent(1, "ada");
    await h.idle();

    expect(namespaces.removed).toEqual([]);
  });

  it("keeps a destroy that succeeded succeeded when the sweep fails", async () => {
    const namespaces = new FakePreviewNamespaces();
    namespaces.list = () => Promise.reject(new Error("cluster unreachable"));
    const h = createHarness({ previewNamespaces: namespaces });
    h.engine.seedPreview(1, { "rollgate:ttlHours": "72" });

    const accepted = await h.rollgate.previews.destroyIfPresent(1, "ada");
    await h.idle();

    expect((await h.operations.get(accepted!.operation.id))?.status).toBe("succeeded");
  });

  it("has the reaper delete old namespaces of PRs without a preview, and nothing else", async () => {
    const namespaces = new FakePreviewNamespaces();
    const h = createHarness({ previewNamespaces: namespaces });
    h.engine.seedPreview(2, { "rollgate:ttlHours": "72" });
    namespaces.add("pr-1-orphan", 1, longAgo);
    namespaces.add("pr-2-live", 2, longAgo);
    namespaces.add("pr-3-just-created", 3, "2030-01-01T23:55:00Z");
    namespaces.add("pr-4-going", 4, longAgo, true);

    const pass = await h.rollgate.reaper.runOnce();

    expect(pass.swept).toEqual(["pr-1-orphan"]);
    expect(namespaces.names().sort()).toEqual(["pr-2-live", "pr-3-just-created", "pr-4-going"]);
  });
});
