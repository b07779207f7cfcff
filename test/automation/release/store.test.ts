import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CorruptReleaseRecordError } from "../../../automation/release/errors";
import { FileReleaseStore } from "../../../automation/release/fileStore";
import { parseStartReleaseRequest, type Release } from "../../../automation/release/schemas";
import { createRelease, transition } from "../../../automation/release/stateMachine";
import { InMemoryReleaseStore, type ReleaseStore } from "../../../automation/release/store";

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "rollgate-store-"));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

function release(id: string, environment = "staging", startedAt = "2026-03-01T09:00:00Z"): Release {
  return createRelease(parseStartReleaseRequest({ environment, image: "registry.example/web:1.1.0" }), {
    id,
    actor: "alice",
    previousImage: "registry.example/web:1.0.0",
    at: new Date(startedAt),
  });
}

function finished(r: Release): Release {
  return transition(r, "rolledBack", { at: new Date("2026-03-01T10:00:00Z"), reason: "analysis failed" });
}

const stores: [string, () => Promise<ReleaseStore>][] = [
  ["InMemoryReleaseStore", async () => new InMemoryReleaseStore()],
  ["FileReleaseStore", async () => new FileReleaseStore(await tempDir())],
];

describe.each(stores)("%s (ReleaseStore contract)", (_name, makeStore) => {
  it("returns a saved record", async () => {
    const store = await makeStore();
    await store.save(release("a"));

    expect(await store.get("a")).toEqual(release("a"));
  });

  it("returns undefined for an unknown id", async () => {
    const store = await makeStore();

    expect(await store.get("missing")).toBeUndefined();
  });

  it("replaces a record on save", async () => {
    const store = await makeStore();
    await store.save(release("a"));
    await store.save(finished(release("a")));

    expect((await store.get("a"))?.status).toBe("rolledBack");
    expect(await store.list()).toHaveLength(1);
  });

  it("lists records by start time, optionally for one environment", async () => {
    const store = await makeStore();
    await store.save(release("late", "staging", "2026-03-02T09:00:00Z"));
    await store.save(release("early", "staging", "2026-03-01T09:00:00Z"));
    await store.save(release("prod", "production", "2026-03-01T12:00:00Z"));

    expect((await store.list()).map((r) => r.id)).toEqual(["early", "prod", "late"]);
    expect((await store.list({ environment: "staging" })).map((r) => r.id)).toEqual(["early", "late"]);
  });

  it("finds the environment's active release and ignores finished ones", async () => {
    const store = await makeStore();
    await store.save(finished(release("old")));
    await store.save(release("current", "staging", "2026-03-02T09:00:00Z"));
    await store.save(release("prod", "production"));

    expect((await store.active("staging"))?.id).toBe("current");
    expect(await store.active("preview-1")).toBeUndefined();
  });

  it("keeps the last of concurrent saves of a record", async () => {
    const store = await makeStore();
    await Promise.all([1, 2, 3, 4, 5].map((n) => store.save({ ...release("a"), extensions: n })));

    expect((await store.get("a"))?.extensions).toBe(5);
  });

  it("is not changed by mutating a record after saving or reading it", async () => {
    const store = await makeStore();
    const record = release("a");
    await store.save(record);
    record.analysis.push({ step: 0, metric: "x", value: 1, threshold: null, phase: "failed", at: "2026-03-01T09:00:00.000Z", detail: "" });
    const read = await store.get("a");
    read?.steps.pop();

    expect((await store.get("a"))?.analysis).toEqual([]);
    expect((await store.get("a"))?.steps).toHaveLength(4);
  });
});

describe("FileReleaseStore", () => {
  it("writes one readable JSON file per release and nothing else", async () => {
    const dir = await tempDir();
    await new FileReleaseStore(dir).save(release("a"));

    expect(await readdir(dir)).toEqual(["a.json"]);
    expect(JSON.parse(await readFile(join(dir, "a.json"), "utf8"))).toEqual(release("a"));
  });

  it("reads records back after a restart (a new store on the same directory)", async () => {
    const dir = await tempDir();
    await new FileReleaseStore(dir).save(release("a"));
    await new FileReleaseStore(dir).save(release("b", "production"));

    const restarted = new FileReleaseStore(dir);

    expect((await restarted.list()).map((r) => r.id)).toEqual(["a", "b"]);
    expect((await restarted.active("production"))?.id).toBe("b");
  });

  it("ignores a torn temporary file left by a crash mid-write, keeping the previous record, and removes it once old", async () => {
    const dir = await tempDir();
    const store = new FileReleaseStore(dir);
    await store.save(release("a"));
    const full = JSON.stringify(finished(release("a")));
    await writeFile(join(dir, ".a.0f1e2d3c.tmp"), full.slice(0, full.length / 2));
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    await utimes(join(dir, ".a.0f1e2d3c.tmp"), twoHoursAgo, twoHoursAgo);
    // Another replica's save in progress on the shared directory.
    await writeFile(join(dir, ".b.4a5b6c7d.tmp"), "{");

    const restarted = new FileReleaseStore(dir);

    expect((await restarted.get("a"))?.status).toBe("progressing");
    expect(await restarted.list()).toHaveLength(1);
    expect(await restarted.clean()).toBe(1);
    expect((await readdir(dir)).sort()).toEqual([".b.4a5b6c7d.tmp", "a.json"]);
  });

  it("survives SIGKILL during saves: the record is always whole and readable", { timeout: 60_000 }, async () => {
    const dir = await tempDir();
    const script = resolve(__dirname, "support/fileStoreWriter.ts");
    for (const killAfterSaves of [2, 5, 9]) {
      const child = spawn(process.execPath, ["--import", "tsx", script, dir], { cwd: resolve(__dirname, "../../.."), stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<NodeJS.Signals | null>((done) => child.on("exit", (_code, signal) => done(signal)));
      await new Promise<void>((reached, failed) => {
        let saves = 0;
        child.stdout.on("data", (chunk: Buffer) => {
          saves += (chunk.toString().match(/saved/g) ?? []).length;
          if (saves >= killAfterSaves) reached();
        });
        child.on("exit", () => failed(new Error(`writer exited early: ${stderr}`)));
      });
      // Kill at an arbitrary point of the next writes.
      await new Promise((wait) => setTimeout(wait, Math.random() * 15));
      child.kill("SIGKILL");
      expect(await exited).toBe("SIGKILL");

      const restarted = new FileReleaseStore(dir);
      const record = await restarted.get("crash-test");
      expect(record?.extensions).toBeGreaterThanOrEqual(killAfterSaves);
      expect(record?.analysis.length).toBeGreaterThanOrEqual(4000);
      expect((await readdir(dir)).filter((name) => name.endsWith(".json"))).toEqual(["crash-test.json"]);
    }
  });

  it("reports a record that is not a release instead of ignoring it", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "bad.json"), JSON.stringify({ id: "bad" }));

    await expect(new FileReleaseStore(dir).list()).rejects.toBeInstanceOf(CorruptReleaseRecordError);
  });

  it("refuses ids that are not safe file names", async () => {
    const store = new FileReleaseStore(await tempDir());

    await expect(async () => store.save({ ...release("a"), id: "../escape" })).rejects.toThrow(/not safe as a file name/);
    expect(await store.get("../escape")).toBeUndefined();
  });

  it("lists nothing when the directory does not exist yet", async () => {
    const store = new FileReleaseStore(join(await tempDir(), "not-yet"));

    expect(await store.list()).toEqual([]);
    expect(await store.active("staging")).toBeUndefined();
  });
});
