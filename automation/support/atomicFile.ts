/**
 * Durable, atomic file writes for the service's record stores: the body goes
 * to a temporary file that is fsynced and renamed over the target, so a
 * reader sees the old file or the new one, never half of one.
 */
import { randomUUID } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
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
