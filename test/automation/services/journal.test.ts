import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FilePreviewJournal, type PreviewRecord } from "../../../automation/services/previews/journal";

const record: PreviewRecord = {
  pr: 4,
  stack: "preview-pr-4",
  desired: "present",
  spec: { image: "ghcr.io/acme/app:1", branch: "main", ttlHours: 24 },
  createdAt: "2030-01-01T00:00:00.000Z",
  expiresAt: "2030-01-02T00:00:00.000Z",
  actor: "writer",
  repository: "acme/app",
  lastOperation: { id: "op-1", kind: "up", status: "succeeded", finishedAt: "2030-01-01T00:05:00.000Z" },
};

describe("FilePreviewJournal", () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "rollgate-journal-"));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("reads back what it wrote, from a new instance", async () => {
    await new FilePreviewJournal(directory).put(record);

    const again = new FilePreviewJournal(directory);

    expect(await again.get("preview-pr-4")).toEqual(record);
    expect(await again.list()).toEqual([record]);
  });

  it("writes files readable only by the owner", async () => {
    await new FilePreviewJournal(directory).put(record);

    const mode = (await stat(join(directory, "preview-pr-4.json"))).mode & 0o777;

    expect(mode).toBe(0o600);
  });

  it("removes entries and treats missing ones as absent", async () => {
    const journal = new FilePreviewJournal(directory);
    await journal.put(record);

    await journal.remove("preview-pr-4");
    await journal.remove("preview-pr-4");

    expect(await journal.get("preview-pr-4")).toBeUndefined();
    expect(await new FilePreviewJournal(join(directory, "missing")).list()).toEqual([]);
  });

  it("names the file when an entry is malformed", async () => {
    await writeFile(join(directory, "preview-pr-4.json"), JSON.stringify({ pr: "four" }));

    await expect(new FilePreviewJournal(directory).get("preview-pr-4")).rejects.toThrow(/preview-pr-4\.json is malformed/);
  });

  it("refuses stack names that would leave its directory", async () => {
    await expect(new FilePreviewJournal(directory).get("../etc/passwd")).rejects.toThrow(/invalid stack name/);
  });

  it("leaves no temporary files behind", async () => {
    const journal = new FilePreviewJournal(directory);
    await journal.put(record);
    await journal.put({ ...record, desired: "absent" });

    expect(JSON.parse(await readFile(join(directory, "preview-pr-4.json"), "utf8")).desired).toBe("absent");
    expect((await journal.list()).length).toBe(1);
  });
});
