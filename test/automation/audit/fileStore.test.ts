import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileAuditStore } from "../../../automation/services/audit/fileStore";
import { auditRecord } from "./support";

describe("FileAuditStore", () => {
  let directory: string;

  beforeEach(() => {
    directory = join(mkdtempSync(join(tmpdir(), "rg-audit-")), "audit");
  });

  afterEach(() => {
    rmSync(join(directory, ".."), { recursive: true, force: true });
  });

  it("reads back appended records newest first", async () => {
    const store = new FileAuditStore(directory);
    const older = auditRecord("2030-01-01T00:00:00.000Z");
    const newer = auditRecord("2030-01-01T00:05:00.000Z");

    await store.append(older);
    await store.append(newer);

    expect(await store.list()).toEqual([newer, older]);
  });

  it("writes one file per record and leaves no temporary file behind", async () => {
    const store = new FileAuditStore(directory);
    const record = auditRecord("2030-01-01T00:00:00.000Z");

    await store.append(record);

    expect(readdirSync(directory)).toEqual([`${record.id}.json`]);
    expect(JSON.parse(readFileSync(join(directory, `${record.id}.json`), "utf8"))).toEqual(record);
  });

  it("keeps earlier records whole when an append was torn by a crash, and skips the torn file", async () => {
    const unreadable: string[] = [];
    const store = new FileAuditStore(directory, { onUnreadable: (file) => unreadable.push(file) });
    const kept = [auditRecord("2030-01-01T00:00:00.000Z"), auditRecord("2030-01-01T00:01:00.000Z")];
    for (const record of kept) await store.append(record);
    const torn = auditRecord("2030-01-01T00:02:00.000Z");
    const body = JSON.stringify(torn);
    // A crash during the write leaves a partial temporary file; a non-atomic copy leaves a partial record.
    writeFileSync(join(directory, `.${torn.id}.0000.tmp`), body.slice(0, 40));
    writeFileSync(join(directory, `${torn.id}.json`), body.slice(0, body.length / 2));

    const records = await new FileAuditStore(directory, { onUnreadable: (file) => unreadable.push(file) }).list();

    expect(records).toEqual([...kept].reverse());
    expect(unreadable).toEqual([join(directory, `${torn.id}.json`)]);
    const after = auditRecord("2030-01-01T00:03:00.000Z");
    await store.append(after);
    expect((await store.list()).map((record) => record.id)).toEqual([after.id, kept[1]?.id, kept[0]?.id]);
  });

  it("skips a record whose content does not match its file name", async () => {
    const store = new FileAuditStore(directory);
    const record = auditRecord("2030-01-01T00:00:00.000Z");
    const other = auditRecord("2030-01-01T00:01:00.000Z");
    await store.append(record);
    writeFileSync(join(directory, `${other.id}.json`), JSON.stringify(record));

    expect(await store.list()).toEqual([record]);
  });

  it("shares one history between replicas on the same directory", async () => {
    const first = new FileAuditStore(directory);
    const second = new FileAuditStore(directory);
    const a = auditRecord("2030-01-01T00:00:00.000Z");
    const b = auditRecord("2030-01-01T00:00:01.000Z");

    await Promise.all([first.append(a), second.append(b)]);

    expect(await first.list()).toEqual([b, a]);
    expect(await second.list()).toEqual([b, a]);
  });

  it("loses nothing when many appends run at once", async () => {
    const store = new FileAuditStore(directory);
    const records = Array.from({ length: 50 }, (_, index) => auditRecord(new Date(Date.UTC(2030, 0, 1, 0, 0, index)).toISOString()));

    await Promise.all(records.map((record) => store.append(record)));

    expect((await new FileAuditStore(directory).list()).length).toBe(50);
  });

  it("lists nothing before the first append", async () => {
    expect(await new FileAuditStore(directory).list()).toEqual([]);
  });

  it("removes only old temporary files, which may be another replica's append in progress otherwise", async () => {
    const store = new FileAuditStore(directory);
    await store.append(auditRecord("2030-01-01T00:00:00.000Z"));
    const old = join(directory, ".old.tmp");
    const fresh = join(directory, ".fresh.tmp");
    writeFileSync(old, "{");
    writeFileSync(fresh, "{");
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    utimesSync(old, twoHoursAgo, twoHoursAgo);

    expect(await store.clean()).toBe(1);
    expect(readdirSync(directory).sort()).toContain(".fresh.tmp");
    expect(readdirSync(directory)).not.toContain(".old.tmp");
  });
});
