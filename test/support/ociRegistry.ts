/**
 * A real OCI registry for the supply-chain tests (`oci-registry`, built by the toolchain from go-containerregistry),
 * on a free loopback port, and the few distribution API calls that push images and Sigstore bundles to it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OCI_MANIFEST } from "../../automation/supplyChain/registry/registryClient";
import { SIGSTORE_BUNDLE_ARTIFACT } from "../../automation/supplyChain/registry/imageEvidence";

export interface LocalRegistry {
  /** `127.0.0.1:<port>`. */
  readonly host: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

export async function startRegistry(): Promise<LocalRegistry> {
  const dir = mkdtempSync(join(tmpdir(), "rg-oci-"));
  const addressFile = join(dir, "address");
  const child = spawn("oci-registry", ["--listen", "127.0.0.1:0", "--address-file", addressFile], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = Date.now() + 10_000;
  let host = "";
  while (!host) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`oci-registry did not start: ${stderr}`);
    try {
      host = readFileSync(addressFile, "utf8");
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    host,
    process: child,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const digestOf = (bytes: Buffer): string => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

async function check(response: Response, what: string): Promise<Response> {
  if (!response.ok) throw new Error(`${what}: ${response.status} ${await response.text()}`);
  return response;
}

export async function pushBlob(host: string, repository: string, bytes: Buffer): Promise<{ digest: string; size: number }> {
  const digest = digestOf(bytes);
  const started = await check(await fetch(`http://${host}/v2/${repository}/blobs/uploads/`, { method: "POST" }), "start upload");
  const location = new URL(started.headers.get("location") ?? "", `http://${host}`);
  location.searchParams.set("digest", digest);
  await check(await fetch(location, { method: "PUT", body: bytes, headers: { "content-type": "application/octet-stream" } }), `upload ${digest}`);
  return { digest, size: bytes.length };
}

export async function pushManifest(host: string, repository: string, reference: string | undefined, manifest: object): Promise<{ digest: string; size: number }> {
  const bytes = Buffer.from(JSON.stringify(manifest));
  const digest = digestOf(bytes);
  await check(
    await fetch(`http://${host}/v2/${repository}/manifests/${reference ?? digest}`, { method: "PUT", body: bytes, headers: { "content-type": OCI_MANIFEST } }),
    `manifest ${reference ?? digest}`,
  );
  return { digest, size: bytes.length };
}

/** A small image (one random layer) under `tag`; its manifest digest. */
export async function pushImage(host: string, repository: string, tag: string): Promise<string> {
  const config = await pushBlob(host, repository, Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } })));
  const layer = await pushBlob(host, repository, randomBytes(512));
  const manifest = await pushManifest(host, repository, tag, {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config },
    layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", ...layer }],
  });
  return manifest.digest;
}

/** Attaches a Sigstore bundle to the image with `subject` the way cosign does: an artifact manifest referring to it. */
export async function attachBundle(host: string, repository: string, subject: string, bundle: unknown): Promise<string> {
  const empty = await pushBlob(host, repository, Buffer.from("{}"));
  const layer = await pushBlob(host, repository, Buffer.from(JSON.stringify(bundle)));
  const subjectSize = (await fetch(`http://${host}/v2/${repository}/manifests/${subject}`, { method: "HEAD", headers: { accept: OCI_MANIFEST } })).headers.get("content-length");
  const manifest = await pushManifest(host, repository, undefined, {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: SIGSTORE_BUNDLE_ARTIFACT,
    config: { mediaType: "application/vnd.oci.empty.v1+json", ...empty },
    layers: [{ mediaType: SIGSTORE_BUNDLE_ARTIFACT, ...layer }],
    subject: { mediaType: OCI_MANIFEST, digest: subject, size: Number(subjectSize ?? 0) },
  });
  return manifest.digest;
}
