/**
 * A small Kubernetes API client: GET, DELETE or merge-PATCH a path, get JSON, with the
 * connection's TLS and credentials (bearer token, client certificate, basic
 * auth or an exec credential plugin, cached until it expires). Errors carry
 * the HTTP status as `code`, as the official client's do.
 */
import { execFile } from "node:child_process";
import { request as httpRequest } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import { promisify } from "node:util";
import { z } from "zod";
import type { ExecConfig, KubeConnection } from "./kubeConfig";

const run = promisify(execFile);

export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = "KubeApiError";
  }
}

const execCredential = z.object({
  status: z.object({
    token: z.string().nullish(),
    clientCertificateData: z.string().nullish(),
    clientKeyData: z.string().nullish(),
    expirationTimestamp: z.string().nullish(),
  }),
});

interface Credential {
  readonly token?: string;
  readonly clientCertificate?: string;
  readonly clientKey?: string;
  /** Epoch ms after which the plugin is run again. */
  readonly expiresAt: number;
}

export interface KubeClientOptions {
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

export class KubeClient {
  private credential: Promise<Credential> | undefined;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(
    private readonly connection: KubeConnection,
    options: KubeClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** GETs `path` (e.g. `/apis/apps/v1/namespaces/ns/deployments/web`, a query allowed) and parses the JSON answer. */
  get(path: string): Promise<unknown> {
    return this.send("GET", path);
  }

  /** DELETEs the object at `path`; the API's answer (the object, now terminating, or a Status). */
  delete(path: string): Promise<unknown> {
    return this.send("DELETE", path);
  }

  /** A JSON merge patch (RFC 7386) of the object, or of its `/status` subresource; the patched object. */
  mergePatch(path: string, patch: unknown): Promise<unknown> {
    return this.send("PATCH", path, { contentType: "application/merge-patch+json", body: JSON.stringify(patch) });
  }

  private async send(method: "GET" | "DELETE" | "PATCH", path: string, payload?: { readonly contentType: string; readonly body: string }): Promise<unknown> {
    const url = new URL(path, this.connection.server.endsWith("/") ? this.connection.server : `${this.connection.server}/`);
    const base = await this.requestOptions();
    const options = payload ? { ...base, method, headers: { ...base.headers, "content-type": payload.contentType } } : { ...base, method };
    return new Promise((resolveBody, reject) => {
      const send = url.protocol === "http:" ? httpRequest : httpsRequest;
      const req = send(url, options, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", reject);
        response.on("end", () => {
          const body = Buffer.concat(chunks).toString("utf8");
          const status = response.statusCode ?? 0;
          if (status === 401) this.credential = undefined;
          if (status < 200 || status > 299) {
            reject(new KubeApiError(status, `${method} ${url.pathname} answered ${status}: ${statusMessage(body)}`));
            return;
          }
          try {
            resolveBody(JSON.parse(body) as unknown);
          } catch {
            reject(new KubeApiError(status, `${method} ${url.pathname} answered ${status} with a body that is not JSON`));
          }
        });
      });
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error(`${method} ${url.pathname} timed out after ${this.timeoutMs} ms`)));
      req.on("error", reject);
      req.end(payload?.body);
    });
  }

  private async requestOptions(): Promise<RequestOptions> {
    const { connection } = this;
    const headers: Record<string, string> = { accept: "application/json" };
    let certificate: Buffer | string | undefined = connection.clientCertificate;
    let key: Buffer | string | undefined = connection.clientKey;
    if (connection.exec) {
      const credential = await this.execCredential(connection.exec);
      if (credential.token) headers.authorization = `Bearer ${credential.token}`;
      certificate = credential.clientCertificate ?? certificate;
      key = credential.clientKey ?? key;
    } else if (connection.token) {
      headers.authorization = `Bearer ${connection.token()}`;
    } else if (connection.basicAuth) {
      headers.authorization = `Basic ${Buffer.from(`${connection.basicAuth.username}:${connection.basicAuth.password}`).toString("base64")}`;
    }
    return {
      headers,
      rejectUnauthorized: !connection.insecureSkipTlsVerify,
      ...(connection.ca ? { ca: connection.ca } : {}),
      ...(connection.tlsServerName ? { servername: connection.tlsServerName } : {}),
      ...(certificate ? { cert: certificate } : {}),
      ...(key ? { key } : {}),
    };
  }

  private async execCredential(exec: ExecConfig): Promise<Credential> {
    const cached = this.credential ? await this.credential.catch(() => undefined) : undefined;
    if (cached && cached.expiresAt > this.now()) return cached;
    const pending = runExecPlugin(exec, this.now());
    this.credential = pending;
    pending.catch(() => {
      if (this.credential === pending) this.credential = undefined;
    });
    return pending;
  }
}

async function runExecPlugin(exec: ExecConfig, now: number): Promise<Credential> {
  const apiVersion = exec.apiVersion ?? "client.authentication.k8s.io/v1";
  const env = execPluginEnvironment(process.env, exec, apiVersion);
  let stdout: string;
  try {
    ({ stdout } = await run(exec.command, exec.args ?? [], { env, timeout: 60_000, maxBuffer: 1024 * 1024 }));
  } catch (error) {
    throw new Error(`the kubeconfig credential plugin \`${exec.command}\` failed: ${(error as Error).message}`);
  }
  const parsed = execCredential.safeParse(JSON.parse(stdout));
  if (!parsed.success) throw new Error(`the kubeconfig credential plugin \`${exec.command}\` printed no ExecCredential status`);
  const { status } = parsed.data;
  // A minute early, so a request never leaves with a credential about to expire.
  const expiresAt = status.expirationTimestamp ? Date.parse(status.expirationTimestamp) - 60_000 : Number.POSITIVE_INFINITY;
  return {
    ...(status.token ? { token: status.token } : {}),
    ...(status.clientCertificateData ? { clientCertificate: status.clientCertificateData } : {}),
    ...(status.clientKeyData ? { clientKey: status.clientKeyData } : {}),
    expiresAt: Number.isNaN(expiresAt) ? now : expiresAt,
  };
}

/** Rollgate's own settings (the GitHub token, the Pulumi passphrase, its database URL) are not the plugin's business. */
const serviceOnlyVariable = /^(ROLLGATE_|PULUMI_|GITHUB_|GH_)/;

/**
 * The environment of a kubeconfig credential plugin: what kubectl would give it
 * (the user's environment, cloud credentials included, plus the kubeconfig's
 * `env` entries), without the service's own secrets.
 */
export function execPluginEnvironment(parent: NodeJS.ProcessEnv, exec: ExecConfig, apiVersion: string): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(parent).filter(([name]) => !serviceOnlyVariable.test(name)));
  return {
    ...inherited,
    ...Object.fromEntries((exec.env ?? []).map((entry) => [entry.name, entry.value])),
    KUBERNETES_EXEC_INFO: JSON.stringify({ apiVersion, kind: "ExecCredential", spec: { interactive: false } }),
  };
}

function statusMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === "string") return parsed.message;
  } catch {
    // not a Status object
  }
  return body.slice(0, 200) || "(empty body)";
}
