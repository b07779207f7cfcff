/**
 * `AuditStore` on a shared directory: one file per record, named by its id.
 * An append writes a temporary file (exclusive create), fsyncs it, renames it
 * to `<id>.json` and fsyncs the directory, so a crash leaves either a whole
 * record or an ignored temporary file, and never touches an earlier record.
 * Several replicas may append to the same directory (the file backend's
 * state directory): names are unique, and readers list the directory.
 * Records are immutable, so each file is parsed once and cached.
 */
import { fileNames, readTextIfPresent, removeStaleTemporaryFiles, writeFileAtomically } from "../../support/atomicFile";
import { join } from "node:path";
import { newestFirst } from "./query";
import { auditIdSchema, auditRecordSchema, type AuditRecord } from "./record";
import type { AuditStore } from "./store";

const RECORD = /^([0-9]{13}-[0-9a-f]{12})\.json$/;

export interface FileAuditStoreOptions {
  /** Told once per unreadable record file (torn by a non-atomic copy, edited by hand); the file is skipped. */
  readonly onUnreadable?: (file: string, problem: string) => void;
}

export class FileAuditStore implements AuditStore {
  private readonly cache = new Map<string, AuditRecord>();
  private readonly unreadable = new Set<string>();

  constructor(
    readonly directory: string,
    private readonly options: FileAuditStoreOptions = {},
  ) {}

  async append(record: AuditRecord): Promise<void> {
    const id = auditIdSchema.parse(record.id);
    const body = `${JSON.stringify(auditRecordSchema.parse(record))}\n`;
    await writeFileAtomically(this.directory, `${id}.json`, body);
    this.cache.set(id, record);
  }

  async list(): Promise<AuditRecord[]> {
    const records: AuditRecord[] = [];
    for (const name of await fileNames(this.directory)) {
      const id = RECORD.exec(name)?.[1];
      if (id === undefined || this.unreadable.has(id)) continue;
      const record = this.cache.get(id) ?? (await this.read(id, name));
      if (record) records.push(record);
    }
    return records.sort(newestFirst);
  }

  /**
   * Removes temporary files older than `olderThanMs` (a crash's leftovers).
   * Younger ones may be another replica's append in progress.
   */
  clean(olderThanMs = 3_600_000, now = Date.now()): Promise<number> {
    return removeStaleTemporaryFiles(this.directory, olderThanMs, now);
  }

  private async read(id: string, name: string): Promise<AuditRecord | undefined> {
    const path = join(this.directory, name);
    const text = await readTextIfPresent(path);
    if (text === undefined) return undefined;
    const problem = (message: string): undefined => {
      this.unreadable.add(id);
      this.options.onUnreadable?.(path, message);
      return undefined;
    };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      return problem(error instanceof Error ? error.message : String(error));
    }
    const parsed = auditRecordSchema.safeParse(json);
    if (!parsed.success) return problem(parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; "));
    if (parsed.data.id !== id) return problem(`the record's id ${parsed.data.id} differs from its file name`);
    this.cache.set(id, parsed.data);
    return parsed.data;
  }
}
