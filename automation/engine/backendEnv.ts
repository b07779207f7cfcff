/** Where the engine's CLI runs keep Pulumi's state, and what that backend needs. */

/** The database URL as Pulumi's backend wants it: its CLI knows the `postgres://` scheme only. */
export function pulumiBackendUrl(databaseUrl: string): string {
  return databaseUrl.replace(/^postgresql:\/\//, "postgres://");
}

/**
 * The environment of the engine's CLI runs for a backend. Pulumi's
 * `postgres://` backend (v3.259) lists with a cursor open while it queries
 * each key's metadata on a second connection of a pool of 2×GOMAXPROCS; its
 * default of 10 parallel listings can hold every connection with cursors and
 * hang `pulumi stack ls` for good. Two at a time leaves room.
 */
export function pulumiBackendEnv(backendUrl: string, env: NodeJS.ProcessEnv): Record<string, string> {
  const parallel: Record<string, string> = backendUrl.startsWith("postgres://") && !env.PULUMI_DIY_BACKEND_PARALLEL ? { PULUMI_DIY_BACKEND_PARALLEL: "2" } : {};
  return { PULUMI_BACKEND_URL: backendUrl, ...parallel };
}
