/**
 * The client's HTTP behaviour against an in-process server speaking Docker's token flow (the real registry's paths are
 * in test/integration/supplyChain/registryEvidence.test.ts): a 401 with a Bearer challenge is answered with a token
 * fetched with the config's credentials; 5xx and silence are "unavailable" within the timeout; content that does not
 * match its digest is refused.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { parseImageReference, type ImageReference } from "../../../../components/image";
import { parseDockerConfig } from "../../../../automation/supplyChain/registry/dockerConfig";
import { RegistryRequestError, RegistryUnavailableError } from "../../../../automation/supplyChain/registry/errors";
import { RegistryClient } from "../../../../automation/supplyChain/registry/registryClient";

const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", layers: [] }));
const digest = `sha256:${createHash("sha256").update(manifest).digest("hex")}`;

type Handler = (req: IncomingMessage, res: ServerResponse, host: string) => void;

async function serve(handler: Handler): Promise<{ server: Server; host: string }> {
  const server = createServer((req, res) => handler(req, res, `127.0.0.1:${(server.address() as AddressInfo).port}`));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, host: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function image(host: string, rest = "rollgate/app:1.0.0"): ImageReference {
  const parsed = parseImageReference(`${host}/${rest}`);
  if (!parsed) throw new Error("bad reference");
  return parsed;
}

describe("RegistryClient over HTTP", () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it("answers a Bearer challenge with a token fetched with the config's credentials, and reuses it", async () => {
    const seen: string[] = [];
    const { server, host } = await serve((req, res, self) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? "-"}`);
      if (req.url?.startsWith("/token")) {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ token: req.headers.authorization === `Basic ${Buffer.from("ci:secret").toString("base64")}` ? "t0k3n" : "anon" }));
        return;
      }
      if (req.headers.authorization !== "Bearer t0k3n") {
        res.statusCode = 401;
        res.setHeader("www-authenticate", `Bearer realm="http://${self}/token",service="${self}",scope="repository:rollgate/app:pull"`);
        res.end();
        return;
      }
      res.setHeader("docker-content-digest", digest);
      res.end(req.method === "HEAD" ? undefined : manifest);
    });
    servers.push(server);
    const client = new RegistryClient({ config: parseDockerConfig(JSON.stringify({ auths: { [host]: { username: "ci", password: "secret" } } })) });

    expect(await client.resolve(image(host))).toBe(digest);
    expect(await client.manifest(image(host), digest)).toMatchObject({ schemaVersion: 2 });
    expect(seen).toEqual([
      "HEAD /v2/rollgate/app/manifests/1.0.0 -",
      `GET /token?service=${encodeURIComponent(host)}&scope=repository%3Arollgate%2Fapp%3Apull Basic ${Buffer.from("ci:secret").toString("base64")}`,
      "HEAD /v2/rollgate/app/manifests/1.0.0 Bearer t0k3n",
      `GET /v2/rollgate/app/manifests/${digest} Bearer t0k3n`,
    ]);
  });

  it("is unavailable on a 503 or when the registry does not answer in time, naming the host", async () => {
    const failing = await serve((_req, res) => {
      res.statusCode = 503;
      res.end(JSON.stringify({ errors: [{ code: "UNAVAILABLE", message: "maintenance" }] }));
    });
    const silent = await serve(() => undefined);
    servers.push(failing.server, silent.server);
    const client = new RegistryClient({ timeoutMs: 300 });

    // A HEAD answer has no body: the registry's own message comes with GETs.
    await expect(client.resolve(image(failing.host))).rejects.toThrow(`registry ${failing.host} is unavailable: 503 for manifest ${failing.host}/rollgate/app:1.0.0`);
    await expect(client.manifest(image(failing.host), digest)).rejects.toThrow(
      `registry ${failing.host} is unavailable: 503 for manifest ${failing.host}/rollgate/app@${digest}: UNAVAILABLE maintenance`,
    );
    const started = Date.now();
    await expect(client.resolve(image(silent.host))).rejects.toThrow(new RegistryUnavailableError(silent.host, "no answer within 0.3 s"));
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("refuses content that does not match its digest, and says a 401 it cannot answer is a refusal", async () => {
    const tampered = await serve((_req, res) => res.end(Buffer.from("{}")));
    const locked = await serve((_req, res) => {
      res.statusCode = 401;
      res.end(JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] }));
    });
    servers.push(tampered.server, locked.server);
    const client = new RegistryClient();

    await expect(client.manifest(image(tampered.host), digest)).rejects.toThrow(/content digest is sha256:44136fa3/);
    const refused = client.manifest(image(locked.host), digest);
    await expect(refused).rejects.toBeInstanceOf(RegistryRequestError);
    await expect(refused).rejects.toThrow(`registry ${locked.host} answered 401 for manifest ${locked.host}/rollgate/app@${digest}: UNAUTHORIZED authentication required`);
  });
});
