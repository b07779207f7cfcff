/**
 * A read-only client of the OCI distribution API (v2): resolve a tag to its manifest digest, list a manifest's
 * referrers (OCI 1.1 `referrers` API, or the `sha256-<hex>` tag schema of registries without it), fetch manifests and
 * blobs, each checked against its digest. Authentication follows Docker's token flow: on a 401 with a Bearer challenge a
 * token is fetched from its realm (with the config's credentials, or anonymously) and the request repeated; a Basic
 * challenge is answered with the credentials. Every request has a timeout; an unreachable registry is a
 * `RegistryUnavailableError`, a refusal a `RegistryRequestError`.
 */
import { createHash } from "node:crypto";
import type { ImageReference } from "../../../components/image";
import { parseAuthChallenge } from "./authChallenge";
import { credentialsFor, type DockerConfig, type RegistryCredentials } from "./dockerConfig";
import { RegistryRequestError, RegistryUnavailableError } from "./errors";

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
const DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
const MANIFEST_TYPES = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST].join(", ");

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface Manifest {
  readonly mediaType?: string;
  readonly artifactType?: string;
  readonly config?: Descriptor;
  readonly layers?: readonly Descriptor[];
  readonly manifests?: readonly Descriptor[];
  readonly subject?: Descriptor;
}

export interface RegistryClientOptions {
  readonly config?: DockerConfig;
  /** Per request, including the token fetch. Default 10 s. */
  readonly timeoutMs?: number;
  /** Hosts spoken to over plain HTTP; default: loopback ones (`localhost`, `127.0.0.1`, `[::1]`, any port). */
  readonly plainHttp?: (host: string) => boolean;
  readonly fetch?: typeof fetch;
}

const DOCKER_HUB = "registry-1.docker.io";
const isLoopback = (host: string): boolean => /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(host);

export class RegistryClient {
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly plainHttp: (host: string) => boolean;
  private readonly tokens = new Map<string, { readonly token: string; readonly until: number }>();

  constructor(private readonly options: RegistryClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetchImpl = options.fetch ?? fetch;
    this.plainHttp = options.plainHttp ?? isLoopback;
  }

  /** The manifest digest the reference names: its own digest, or what the registry says the tag points at. */
  async resolve(image: ImageReference): Promise<string> {
    if (image.digest) return image.digest;
    const reference = image.tag ?? "latest";
    const response = await this.request(image, "HEAD", `manifests/${reference}`, { accept: MANIFEST_TYPES }, `manifest ${image.repository}:${reference}`);
    const header = response.headers.get("docker-content-digest");
    if (header && /^sha256:[a-f0-9]{64}$/.test(header)) return header;
    const body = await this.read(image, "GET", `manifests/${reference}`, MANIFEST_TYPES, `manifest ${image.repository}:${reference}`);
    return sha256(body);
  }

  /** The manifest with `digest`, its bytes checked against it. */
  async manifest(image: ImageReference, digest: string): Promise<Manifest> {
    const body = await this.read(image, "GET", `manifests/${digest}`, MANIFEST_TYPES, `manifest ${image.repository}@${digest}`);
    checkDigest(image, body, digest);
    return parseJson<Manifest>(image, body, `manifest ${digest}`);
  }

  /** The blob with `digest`, its bytes checked against it. */
  async blob(image: ImageReference, digest: string): Promise<Buffer> {
    const body = await this.read(image, "GET", `blobs/${digest}`, "*/*", `blob ${image.repository}@${digest}`);
    checkDigest(image, body, digest);
    return body;
  }

  /** The manifests that refer to `digest` (signatures, SBOMs, attestations), optionally of one artifact type. */
  async referrers(image: ImageReference, digest: string, artifactType?: string): Promise<Descriptor[]> {
    const query = artifactType ? `?artifactType=${encodeURIComponent(artifactType)}` : "";
    const what = `referrers of ${image.repository}@${digest}`;
    let index: Manifest;
    try {
      index = parseJson<Manifest>(image, await this.read(image, "GET", `referrers/${digest}${query}`, OCI_INDEX, what), what);
    } catch (error) {
      if (!(error instanceof RegistryRequestError && error.status === 404)) throw error;
      // No referrers API: the fallback tag `sha256-<hex>` holds an index of them, or there are none.
      try {
        const tag = digest.replace(":", "-");
        index = parseJson<Manifest>(image, await this.read(image, "GET", `manifests/${tag}`, OCI_INDEX, what), what);
      } catch (fallbackError) {
        if (fallbackError instanceof RegistryRequestError && fallbackError.status === 404) return [];
        throw fallbackError;
      }
    }
    const all = index.manifests ?? [];
    return artifactType ? all.filter((descriptor) => descriptor.artifactType === artifactType) : [...all];
  }

  // ---------------------------------------------------------------- HTTP

  private async read(image: ImageReference, method: "GET", path: string, accept: string, what: string): Promise<Buffer> {
    const response = await this.request(image, method, path, { accept }, what);
    try {
      return Buffer.from(await response.arrayBuffer());
    } catch (error) {
      throw new RegistryUnavailableError(hostOf(image), `reading ${what}: ${describe(error)}`);
    }
  }

  private async request(image: ImageReference, method: string, path: string, headers: Record<string, string>, what: string): Promise<Response> {
    const host = hostOf(image);
    const url = `${this.plainHttp(host) ? "http" : "https"}://${host}/v2/${repositoryPath(image)}/${path}`;
    const scope = `repository:${repositoryPath(image)}:pull`;
    const cached = this.tokens.get(`${host} ${scope}`);
    const authorization = cached && cached.until > Date.now() ? `Bearer ${cached.token}` : undefined;
    let response = await this.send(host, url, method, { ...headers, ...(authorization ? { authorization } : {}) });
    if (response.status === 401) {
      const answer = await this.answerChallenge(host, response.headers.get("www-authenticate"), scope);
      if (answer) response = await this.send(host, url, method, { ...headers, authorization: answer });
    }
    if (response.ok) return response;
    const detail = await errorDetail(response);
    if (response.status >= 500 || response.status === 429) throw new RegistryUnavailableError(host, `${response.status} for ${what}${detail ? `: ${detail}` : ""}`);
    throw new RegistryRequestError(host, response.status, what, detail);
  }

  private async send(host: string, url: string, method: string, headers: Record<string, string>, body?: URLSearchParams): Promise<Response> {
    try {
      return await this.fetchImpl(url, { method, headers, redirect: "follow", signal: AbortSignal.timeout(this.timeoutMs), ...(body ? { body } : {}) });
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === "TimeoutError";
      throw new RegistryUnavailableError(host, timedOut ? `no answer within ${this.timeoutMs / 1000} s` : describe(error));
    }
  }

  /** The `authorization` header that answers the challenge; `undefined` when it cannot be answered. */
  private async answerChallenge(host: string, header: string | null, scope: string): Promise<string | undefined> {
    const challenge = parseAuthChallenge(header);
    const credentials = this.options.config ? credentialsFor(this.options.config, host) : undefined;
    if (challenge?.scheme === "basic") return credentials?.kind === "basic" ? basic(credentials) : undefined;
    if (challenge?.scheme !== "bearer" || !challenge.params.realm) return undefined;
    const token = await this.fetchToken(host, challenge.params.realm, challenge.params.service, challenge.params.scope ?? scope, credentials);
    this.tokens.set(`${host} ${scope}`, token);
    return `Bearer ${token.token}`;
  }

  private async fetchToken(host: string, realm: string, service: string | undefined, scope: string, credentials: RegistryCredentials | undefined) {
    const what = `a token from ${realm}`;
    let response: Response;
    if (credentials?.kind === "identityToken") {
      const form = new URLSearchParams({ grant_type: "refresh_token", refresh_token: credentials.token, scope, client_id: "rollgate", ...(service ? { service } : {}) });
      response = await this.send(host, realm, "POST", { "content-type": "application/x-www-form-urlencoded" }, form);
    } else {
      const url = new URL(realm);
      if (service) url.searchParams.set("service", service);
      url.searchParams.set("scope", scope);
      response = await this.send(host, url.toString(), "GET", credentials?.kind === "basic" ? { authorization: basic(credentials) } : {});
    }
    if (!response.ok) {
      const detail = await errorDetail(response);
      if (response.status >= 500 || response.status === 429) throw new RegistryUnavailableError(host, `${response.status} for ${what}`);
      throw new RegistryRequestError(host, response.status, what, detail);
    }
    const body = (await response.json().catch(() => ({}))) as { token?: unknown; access_token?: unknown; expires_in?: unknown };
    const token = typeof body.token === "string" ? body.token : typeof body.access_token === "string" ? body.access_token : undefined;
    if (!token) throw new RegistryRequestError(host, response.status, what, "the answer holds no token");
    const seconds = typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : 60;
    return { token, until: Date.now() + (seconds - 5) * 1000 };
  }
}

/** `host[:port]` of the image's registry (Docker Hub's API host when it names none). */
export function hostOf(image: ImageReference): string {
  return image.registry === undefined || image.registry === "docker.io" || image.registry === "index.docker.io" ? DOCKER_HUB : image.registry;
}

/** The repository's path in the API (`library/` for Docker Hub's official images). */
function repositoryPath(image: ImageReference): string {
  return hostOf(image) === DOCKER_HUB && !image.path.includes("/") ? `library/${image.path}` : image.path;
}

function basic(credentials: Extract<RegistryCredentials, { kind: "basic" }>): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, "utf8").toString("base64")}`;
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

function checkDigest(image: ImageReference, body: Buffer, digest: string): void {
  const actual = sha256(body);
  if (actual !== digest) throw new RegistryRequestError(hostOf(image), 200, `${image.repository}@${digest}`, `content digest is ${actual}`);
}

function parseJson<T>(image: ImageReference, body: Buffer, what: string): T {
  try {
    return JSON.parse(body.toString("utf8")) as T;
  } catch {
    throw new RegistryRequestError(hostOf(image), 200, what, "not JSON");
  }
}

/** The registry's own error message (`{"errors":[{"code","message"}]}`), short, or nothing. */
async function errorDetail(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  try {
    const errors = (JSON.parse(text) as { errors?: { code?: string; message?: string }[] }).errors ?? [];
    return errors.map((error) => [error.code, error.message].filter(Boolean).join(" ")).join("; ").slice(0, 300);
  } catch {
    return text.slice(0, 200);
  }
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
