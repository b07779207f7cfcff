/**
 * Durable, atomic file writes for the service's record stores: the body goes
 * to a temporary file that is fsynced and renamed over the target, so a
 * reader sees the old file or the new one, never half of one.
 */
import { randomUUID } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";

/** Suffix of the temporary files; a store removes leftovers with it after a crash. */
export const TEMP_SUFFIX = ".tmp";

export async function writeFileAtomically(directory: string, fileName: string, body: string): Promise<void> {
  await mkdir(directory, { recursive: true });
  const temporary = join(directory, `.${fileName}.${randomUUID()}${TEMP_SUFFIX}`);
  try {
    const file = await open(temporary, "wx", 0o600);
    try {
      await file.writeFile(body, "utf8");
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, join(directory, fileName));
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(directory);
}

/** Makes the rename durable; some platforms cannot fsync a directory (the rename is still atomic there). */
async function syncDirectory(directory: string): Promise<void> {
  let handle;
  try {
    handle = await open(directory, "r");
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code !== "EISDIR" && code !== "EINVAL" && code !== "EPERM" && code !== "EBADF") throw error;
  } finally {
    await handle?.close();
  }
}

/** The names in `directory`, or none when it does not exist yet. */
export async function fileNames(directory: string): Promise<string[]> {
  try {
    return await readdir(directory);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}

/** The file's text, or undefined when it does not exist (removed between listing and reading). */
export async function readTextIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/**
 * Removes temporary files older than `olderThanMs` (a crash's leftovers);
 * younger ones may be another replica's write in progress on a shared
 * directory. Returns how many were removed.
 */
export async function removeStaleTemporaryFiles(directory: string, olderThanMs: number, now = Date.now()): Promise<number> {
  let removed = 0;
  for (const name of await fileNames(directory)) {
    if (!name.endsWith(TEMP_SUFFIX)) continue;
    const path = join(directory, name);
    const info = await stat(path).catch(() => undefined);
    if (info && now - info.mtimeMs >= olderThanMs) {
      await rm(path, { force: true });
      removed += 1;
    }
  }
  return removed;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
}
