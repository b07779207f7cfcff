/**
 * `ReleaseStore` on the local file system: one JSON file per release under a
 * directory. Each save writes a temporary file, fsyncs it, renames it over
 * the record and fsyncs the directory, so a crash (even SIGKILL or power
 * loss) leaves either the old or the new record, never a torn one. Stray
 * temporary files from a crash are ignored by reads and removed by `clean`
 * once old enough not to be another replica's save in progress.
 */
import { fileNames, readTextIfPresent, removeStaleTemporaryFiles, writeFileAtomically } from "../support/atomicFile";
import { join } from "node:path";
import { CorruptReleaseRecordError } from "./errors";
import { releaseIdSchema, releaseSchema, type Release } from "./schemas";
import { byStart, findActive, type ReleaseStore } from "./store";

const RECORD_SUFFIX = ".json";

export class FileReleaseStore implements ReleaseStore {
  /** Per release, the save in flight: saves of one record are applied in call order. */
  private readonly writes = new Map<string, Promise<void>>();

  constructor(readonly directory: string) {}

  save(release: Release): Promise<void> {
    const id = checkedId(release.id);
    const body = JSON.stringify(release, null, 2) + "\n";
    const previous = this.writes.get(id) ?? Promise.resolve();
    const write = previous.catch(() => undefined).then(() => this.writeAtomically(id, body));
    this.writes.set(id, write);
    void write.finally(() => {
      if (this.writes.get(id) === write) this.writes.delete(id);
    }).catch(() => undefined);
    return write;
  }

  async get(id: string): Promise<Release | undefined> {
    if (!releaseIdSchema.safeParse(id).success) return undefined;
    return this.read(join(this.directory, id + RECORD_SUFFIX));
  }

  async list(filter: { readonly environment?: string } = {}): Promise<Release[]> {
    const records: Release[] = [];
    for (const name of await fileNames(this.directory)) {
      if (!name.endsWith(RECORD_SUFFIX)) continue;
      const release = await this.read(join(this.directory, name));
      if (release && (filter.environment === undefined || release.environment === filter.environment)) records.push(release);
    }
    return records.sort(byStart);
  }

  async active(environment: string): Promise<Release | undefined> {
    return findActive(await this.list({ environment }), environment);
  }

  /**
   * Removes temporary files older than `olderThanMs` (a crash's leftovers).
   * Younger ones may be another replica's save in progress.
   */
  clean(olderThanMs = 3_600_000, now = Date.now()): Promise<number> {
    return removeStaleTemporaryFiles(this.directory, olderThanMs, now);
  }

  private writeAtomically(id: string, body: string): Promise<void> {
    return writeFileAtomically(this.directory, id + RECORD_SUFFIX, body);
  }

  private async read(path: string): Promise<Release | undefined> {
    const text = await readTextIfPresent(path);
    if (text === undefined) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new CorruptReleaseRecordError(path, error instanceof Error ? error.message : String(error));
    }
    const parsed = releaseSchema.safeParse(json);
    if (!parsed.success) throw new CorruptReleaseRecordError(path, parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
    return parsed.data;
  }
}

function checkedId(id: string): string {
  const parsed = releaseIdSchema.safeParse(id);
  if (!parsed.success) throw new TypeError(`release id "${id}" is not safe as a file name`);
  return parsed.data;
}
