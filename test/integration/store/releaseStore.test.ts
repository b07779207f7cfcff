import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { LeaseLostError, LeaseStore } from "../../../automation/store/leases";
import { PgReleaseStore } from "../../../automation/store/releaseStore";
import { migratedDatabaseForFile } from "../../support/databaseForFile";
import { release, releaseStoreContract } from "../../support/releaseStoreContract";

const file = migratedDatabaseForFile("rg_releases");
const db = () => file.current().database;
const testDatabase = () => file.current().test;

async function emptyStore(): Promise<PgReleaseStore> {
  await db().query("TRUNCATE releases CASCADE");
  return new PgReleaseStore(db());
}

releaseStoreContract("PgReleaseStore", emptyStore);

describe("PgReleaseStore", () => {
  it("lets exactly one of two connections starting a release in one environment at once succeed", async () => {
    await emptyStore();
    const second = testDatabase().open();
    const stores = [new PgReleaseStore(db()), new PgReleaseStore(second)];

    const results = await Promise.allSettled(stores.map((store, n) => store.create(release(`r${n}`))));

    expect(results.map((result) => result.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(await stores[0]?.list()).toHaveLength(1);
  });

  it("refuses a save made under a lease a newer holder has taken, and keeps the newer holder's record", async () => {
    const store = await emptyStore();
    const [a, b] = ["replica-a", "replica-b"].map((holder) => new LeaseStore(db(), { holder, host: "test", ttlMs: 100 }));
    const first = await a!.tryAcquire("release:fenced");
    await store.create(release("fenced"), first);
    await new Promise((wait) => setTimeout(wait, 150));
    const second = await b!.tryAcquire("release:fenced");
    expect(second!.token).toBeGreaterThan(first!.token);
    await store.save({ ...release("fenced"), weight: 25 }, second);

    await expect(store.save({ ...release("fenced"), weight: 50 }, first)).rejects.toBeInstanceOf(LeaseLostError);
    expect((await store.get("fenced"))?.weight).toBe(25);
  });

  it("keeps every committed save whole when its writer is SIGKILLed mid-save", { timeout: 120_000 }, async () => {
    await emptyStore();
    const script = resolve(__dirname, "releaseWriter.ts");
    for (const killAfterSaves of [2, 5, 9]) {
      const child = spawn(process.execPath, ["--import", "tsx", script, testDatabase().url], { cwd: resolve(__dirname, "../../.."), stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      let saved = 0;
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<NodeJS.Signals | null>((done) => child.on("exit", (_code, signal) => done(signal)));
      await new Promise<void>((reached, failed) => {
        child.stdout.on("data", (chunk: Buffer) => {
          saved += (chunk.toString().match(/saved/g) ?? []).length;
          if (saved >= killAfterSaves) reached();
        });
        child.on("exit", () => failed(new Error(`writer exited early: ${stderr}`)));
      });
      // Kill at an arbitrary point of the next saves.
      await new Promise((wait) => setTimeout(wait, Math.random() * 15));
      child.kill("SIGKILL");
      expect(await exited).toBe("SIGKILL");

      const record = await new PgReleaseStore(db()).get("crash-test");
      expect(record?.extensions).toBeGreaterThanOrEqual(killAfterSaves);
      expect(record?.analysis.length).toBeGreaterThanOrEqual(4000);
    }
  });
});
