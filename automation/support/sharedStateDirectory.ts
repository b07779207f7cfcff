/**
 * Where the service keeps what its replicas share (audit records, release
 * records): beside the Pulumi file backend's state, so every replica on that
 * backend sees the same history, or in the service's state directory when
 * the backend is not a local directory.
 */
import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * `<backend dir>/.rollgate/<name>` for `PULUMI_BACKEND_URL=file://<dir>`
 * (`file://~` is the home directory), else `<stateDir>/<name>`.
 */
export function sharedStateDirectory(name: string, backendUrl: string | undefined, stateDir: string, home = process.env.HOME ?? ""): string {
  const backendDir = fileBackendDirectory(backendUrl, home);
  return backendDir === undefined ? join(resolve(stateDir), name) : join(backendDir, ".rollgate", name);
}

/** The directory of a `file://` backend URL; undefined for other backends. */
export function fileBackendDirectory(backendUrl: string | undefined, home: string): string | undefined {
  if (!backendUrl?.startsWith("file://")) return undefined;
  const rest = backendUrl.slice("file://".length).replace(/\?.*$/, "");
  if (rest === "~" || rest.startsWith("~/")) return join(home, rest.slice(1));
  if (rest.startsWith("/")) {
    try {
      return fileURLToPath(`file://${rest}`);
    } catch {
      return rest;
    }
  }
  // `file://relative/dir`, as the Pulumi CLI accepts it.
  return isAbsolute(rest) ? rest : resolve(rest);
}
