/** The expectations every `ReleaseStore` meets; each implementation's test file runs them. */
import { describe, expect, it } from "vitest";
import { ReleaseConflictError } from "../../automation/release/errors";
import { parseStartReleaseRequest, type Release } from "../../automation/release/schemas";
import { createRelease, transition } from "../../automation/release/stateMachine";
import type { ReleaseStore } from "../../automation/release/store";

export function release(id: string, environment = "staging", startedAt = "2026-03-01T09:00:00Z"): Release {
  return createRelease(parseStartReleaseRequest({ environment, image: "registry.example/web:1.1.0" }), {
    id,
    actor: "alice",
    previousImage: "registry.example/web:1.0.0",
    at: new Date(startedAt),
  });
}

export function finished(r: Release): Release {
  return transition(r, "rolledBack", { at: new Date("2026-03-01T10:00:00Z"), reason: "analysis failed" });
}

export function releaseStoreContract(name: string, makeStore: () => Promise<ReleaseStore>): void {
  describe(`${name} (ReleaseStore contract)`, () => {
    it("returns a created record", async () => {
      const store = await makeStore();
      await store.create(release("a"));

      expect(await store.get("a")).toEqual(release("a"));
    });

    it("returns undefined for an unknown id", async () => {
      const store = await makeStore();

      expect(await store.get("missing")).toBeUndefined();
    });

    it("replaces a record on save", async () => {
      const store = await makeStore();
      await store.create(release("a"));
      await store.save(finished(release("a")));

      expect((await store.get("a"))?.status).toBe("rolledBack");
      expect(await store.list()).toHaveLength(1);
    });

    it("lists records by start time, optionally for one environment", async () => {
      const store = await makeStore();
      await store.create(finished(release("late", "staging", "2026-03-02T09:00:00Z")));
      await store.create(finished(release("early", "staging", "2026-03-01T09:00:00Z")));
      await store.create(release("prod", "production", "2026-03-01T12:00:00Z"));

      expect((await store.list()).map((r) => r.id)).toEqual(["early", "prod", "late"]);
      expect((await store.list({ environment: "staging" })).map((r) => r.id)).toEqual(["early", "late"]);
    });

    it("finds the environment's active release and ignores finished ones", async () => {
      const store = await makeStore();
      await store.create(finished(release("old")));
      await store.create(release("current", "staging", "2026-03-02T09:00:00Z"));
      await store.create(release("prod", "production"));

      expect((await store.active("staging"))?.id).toBe("current");
      expect(await store.active("preview-1")).toBeUndefined();
    });

    it("refuses a second active release of an environment, naming the active one", async () => {
      const store = await makeStore();
      await store.create(release("first"));

      await expect(store.create(release("second"))).rejects.toMatchObject({ constructor: ReleaseConflictError, activeReleaseId: "first" });
      expect((await store.list()).map((r) => r.id)).toEqual(["first"]);
    });

    it("keeps the last of consecutive saves of a record", async () => {
      const store = await makeStore();
      await store.create(release("a"));
      for (const n of [1, 2, 3, 4, 5]) await store.save({ ...release("a"), extensions: n });

      expect((await store.get("a"))?.extensions).toBe(5);
    });

    it("is not changed by mutating a record after saving or reading it", async () => {
      const store = await makeStore();
      const record = release("a");
      await store.create(record);
      record.analysis.push({ step: 0, metric: "x", value: 1, threshold: null, phase: "failed", at: "2026-03-01T09:00:00.000Z", detail: "" });
      const read = await store.get("a");
      read?.steps.pop();

      expect((await store.get("a"))?.analysis).toEqual([]);
      expect((await store.get("a"))?.steps).toHaveLength(4);
    });
  });
}
