import pino from "pino";
import { beforeEach, describe, expect, it } from "vitest";
import { LeaseKeeper } from "../../../automation/coordination/leaseKeeper";
import { LeaseStore } from "../../../automation/store/leases";
import { migratedDatabaseForFile } from "../../support/databaseForFile";

const file = migratedDatabaseForFile("rg_leases");
const db = () => file.current().database;
beforeEach(async () => {
  await db().query("TRUNCATE leases, lease_tenures");
});

const silent = pino({ level: "silent" });
const sleep = (ms: number) => new Promise((wait) => setTimeout(wait, ms));
const replica = (holder: string, ttlMs = 300, host = `${holder}.local`) => new LeaseStore(db(), { holder, host, ttlMs });

describe("LeaseStore", () => {
  it("gives a free lease to one holder and refuses it to others while it is held", async () => {
    const [a, b] = [replica("a"), replica("b")];

    const held = await a.tryAcquire("stack:staging");

    expect(held).toMatchObject({ name: "stack:staging", holder: "a" });
    expect(await b.tryAcquire("stack:staging")).toBeUndefined();
  });

  it("lets exactly one of many replicas racing for a free lease take it", async () => {
    const replicas = Array.from({ length: 8 }, (_, n) => replica(`r${n}`));

    const taken = await Promise.all(replicas.map((store) => store.tryAcquire("release:race")));

    expect(taken.filter(Boolean)).toHaveLength(1);
  });

  it("hands an expired lease to another holder with a larger token, and remembers the expired tenure", async () => {
    const [a, b] = [replica("a", 100), replica("b")];
    const first = await a.tryAcquire("stack:staging");
    await sleep(150);

    const second = await b.tryAcquire("stack:staging");

    expect(second?.token).toBeGreaterThan(first!.token);
    expect(await b.tenuresBefore("stack:staging", second!.token, new Date(Date.now() + 1000))).toEqual([
      { token: first!.token, host: "a.local", acquiredAt: first!.acquiredAt, releasedAt: null },
    ]);
    expect(await a.renew(first!)).toBeUndefined();
  });

  it("keeps a renewed lease past its first TTL", async () => {
    const a = replica("a", 200);
    const b = replica("b");
    const held = await a.tryAcquire("release:renewed");
    for (let i = 0; i < 4; i++) {
      await sleep(100);
      expect(await a.renew(held!)).toBeDefined();
    }

    expect(await b.tryAcquire("release:renewed")).toBeUndefined();
  });

  it("frees a released lease at once and remembers when the tenure ended", async () => {
    const [a, b] = [replica("a", 60_000), replica("b")];
    const held = await a.tryAcquire("stack:prod");
    await a.release(held!);

    const next = await b.tryAcquire("stack:prod");

    const [earlier] = await b.tenuresBefore("stack:prod", next!.token, new Date(Date.now() + 1000));
    expect(earlier?.host).toBe("a.local");
    expect(earlier?.releasedAt).toBeInstanceOf(Date);
  });

  it("remembers every tenure, newest first, for the stale-lock judgement several handovers later", async () => {
    const [a, b] = [replica("a", 100), replica("b", 60_000)];
    const crashed = await a.tryAcquire("stack:chain");
    await sleep(150);
    for (let i = 0; i < 3; i++) await b.release((await b.tryAcquire("stack:chain"))!);
    const current = await b.tryAcquire("stack:chain");

    const all = await b.tenuresBefore("stack:chain", current!.token, new Date(Date.now() + 1000), 10);
    const justAfterCrash = await b.tenuresBefore("stack:chain", current!.token, new Date(crashed!.acquiredAt.getTime() + 1));

    expect(all.map((tenure) => tenure.host)).toEqual(["b.local", "b.local", "b.local", "a.local"]);
    expect(all.slice(0, 3).every((tenure) => tenure.releasedAt instanceof Date)).toBe(true);
    expect(justAfterCrash).toEqual([{ token: crashed!.token, host: "a.local", acquiredAt: crashed!.acquiredAt, releasedAt: null }]);
  });

  it("lists which of some leases nobody holds", async () => {
    const a = replica("a", 60_000);
    await a.tryAcquire("release:held");
    await a.release((await a.tryAcquire("release:released"))!);

    expect((await a.unheld(["release:held", "release:released", "release:never"])).sort()).toEqual(["release:never", "release:released"]);
  });
});

describe("LeaseKeeper", () => {
  it("renews a held lease so no other replica can take it, and frees it on release", async () => {
    const keeper = new LeaseKeeper(replica("a", 300), { logger: silent });
    const held = await keeper.tryHold("release:kept");
    await sleep(900);

    expect(await replica("b").tryAcquire("release:kept")).toBeUndefined();
    expect(held?.signal.aborted).toBe(false);
    await held?.release();
    expect(held?.signal.aborted).toBe(true);
    expect(await replica("b").tryAcquire("release:kept")).toBeDefined();
  });

  it("aborts the lease's signal when a newer holder took it", async () => {
    const keeper = new LeaseKeeper(replica("a", 300), { logger: silent, renewEveryMs: 1000, safetyMarginMs: 0 });
    const held = await keeper.tryHold("release:stolen");
    await sleep(350);
    await replica("b").tryAcquire("release:stolen");
    await sleep(800);

    expect(held?.signal.aborted).toBe(true);
  });

  it("waits for a lease another replica holds and takes it when that one releases it", async () => {
    const other = replica("other", 60_000);
    const theirs = await other.tryAcquire("stack:busy");
    const keeper = new LeaseKeeper(replica("a", 1000), { logger: silent });
    const waiting = keeper.hold("stack:busy", { pollMs: 50 });
    await sleep(200);
    await other.release(theirs!);

    const mine = await waiting;

    expect(mine.holder).toBe("a");
    await mine.release();
  });

  it("gives up waiting after the given time with a conflict naming the lease", async () => {
    await replica("other", 60_000).tryAcquire("stack:taken");
    const keeper = new LeaseKeeper(replica("a"), { logger: silent });

    await expect(keeper.hold("stack:taken", { waitMs: 300, pollMs: 50 })).rejects.toThrow(/stack:taken is held by another replica/);
  });
});
