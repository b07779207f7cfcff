import { describe, expect, it } from "vitest";
import pino from "pino";
import { PreviewReaper, reaperLeaseName } from "../../../automation/services/previews/reaper";
import { bearer, createHarness, tokens } from "../support/harness";

describe("PreviewReaper", () => {
  it("destroys previews whose expiry has passed and keeps the others", async () => {
    const h = createHarness();
    // createdAt 2030-01-01T00:00Z; the clock reads 2030-01-02T00:00Z.
    h.engine.seedPreview(1, { "rollgate:ttlHours": "12" });
    h.engine.seedPreview(2, { "rollgate:ttlHours": "72" });

    const pass = await h.rollgate.reaper.runOnce();
    await h.idle();

    expect(pass.destroyed).toEqual([1]);
    expect(h.engine.mutations()).toEqual(["destroy preview-pr-1"]);
    expect([...h.engine.stacks.keys()]).toEqual(["preview-pr-2"]);
  });

  it("records the reaper as the actor of its destroys", async () => {
    const h = createHarness();
    h.engine.seedPreview(1, { "rollgate:ttlHours": "1" });

    await h.rollgate.reaper.runOnce();
    await h.idle();

    expect((await h.operations.latestFor(["preview-pr-1"])).get("preview-pr-1")?.actor).toBe("rollgate-reaper");
  });

  it("destroys a preview once the clock passes its expiry", async () => {
    const h = createHarness();
    h.engine.seedPreview(1, { "rollgate:ttlHours": "72" });

    const before = await h.rollgate.reaper.runOnce();
    h.clock.advanceHours(48);
    const after = await h.rollgate.reaper.runOnce();
    await h.idle();

    expect(before.destroyed).toEqual([]);
    expect(after.destroyed).toEqual([1]);
  });

  it("treats a preview that is already gone as a no-op", async () => {
    const h = createHarness();
    h.engine.seedPreview(1, { "rollgate:ttlHours": "1" });
    const previews = await h.rollgate.previews.list();
    h.engine.stacks.delete("preview-pr-1");

    const accepted = await h.rollgate.previews.destroyIfPresent(1, "rollgate-reaper");
    const pass = await h.rollgate.reaper.runOnce();

    expect(previews).toHaveLength(1);
    expect(accepted).toBeUndefined();
    expect(pass).toEqual({ destroyed: [], failed: [], swept: [] });
    expect(h.engine.mutations()).toEqual([]);
  });

  it("leaves previews with an operation in flight alone", async () => {
    const h = createHarness();
    h.engine.seedPreview(1, { "rollgate:ttlHours": "1" });
    h.engine.holding = true;
    await h.http.post("/api/v1/previews").set("Authorization", bearer(tokens.writer)).send({ pr: 1, image: "a/b:2", ttlHours: 1 });
    await h.engine.waitForHeld(1);

    const pass = await h.rollgate.reaper.runOnce();
    h.engine.holding = false;
    h.engine.release();
    await h.idle();

    expect(pass.destroyed).toEqual([]);
  });

  it("retries a destroy that failed on the next pass", async () => {
    const h = createHarness();
    h.engine.seedPreview(1, { "rollgate:ttlHours": "1" });
    let failures = 1;
    h.engine.failDestroy = () => (failures-- > 0 ? new Error("finalizer stuck") : undefined);

    await h.rollgate.reaper.runOnce();
    await h.idle();
    const failed = await h.http.get("/api/v1/previews/1").set("Authorization", bearer(tokens.reader));
    await h.rollgate.reaper.runOnce();
    await h.idle();

    expect(failed.body).toMatchObject({ status: "failed", lastOperation: { kind: "destroy", error: "finalizer stuck" } });
    expect(h.engine.stacks.has("preview-pr-1")).toBe(false);
  });

  describe("with replicas", () => {
    /** One lease, as the shared store keeps it: held by one reaper at a time. */
    function sharedLease() {
      let holder: object | undefined;
      const requested: string[] = [];
      const leases = {
        tryHold(name: string) {
          requested.push(name);
          if (holder) return Promise.resolve(undefined);
          const held = { release: () => Promise.resolve(void (holder = undefined)) };
          holder = held;
          return Promise.resolve(held);
        },
      };
      return { leases, requested, take: () => leases.tryHold("reaper") };
    }

    it("skips a pass while another replica holds the reaper lease, and reaps once it is free", async () => {
      const h = createHarness();
      h.engine.seedPreview(1, { "rollgate:ttlHours": "1" });
      const shared = sharedLease();
      const other = await shared.take();
      const reaper = new PreviewReaper({ previews: h.rollgate.previews, clock: h.clock, logger: pino({ level: "silent" }), leases: shared.leases });

      expect(await reaper.runOnce()).toEqual({ destroyed: [], failed: [], swept: [], skipped: true });
      expect(h.engine.mutations()).toEqual([]);

      await other?.release();
      const pass = await reaper.runOnce();
      await h.idle();
      expect(pass.destroyed).toEqual([1]);
      expect(shared.requested).toEqual([reaperLeaseName, reaperLeaseName, reaperLeaseName]);
      // Released after the pass: the next replica may reap.
      expect(await shared.take()).toBeDefined();
    });
  });
});
