import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { KubeApiError, KubeClient } from "../../../automation/cluster/kubeClient";
import type { KubeConnection } from "../../../automation/cluster/kubeConfig";

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

const json = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
};

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl for these tests. */
function makePki(dir: string): Record<"ca" | "serverCert" | "serverKey" | "clientCert" | "clientKey" | "otherCa", Buffer> {
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const key = (name: string) => openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", name);
  for (const name of ["ca.key", "other.key", "server.key", "client.key"]) key(name);
  openssl("req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=test-ca", "-days", "2", "-out", "ca.crt");
  openssl("req", "-x509", "-new", "-key", "other.key", "-subj", "/CN=other-ca", "-days", "2", "-out", "other.crt");
  writeFileSync(join(dir, "server.ext"), "subjectAltName=IP:127.0.0.1\n");
  openssl("req", "-new", "-key", "server.key", "-subj", "/CN=apiserver", "-out", "server.csr");
  openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-extfile", "server.ext", "-out", "server.crt");
  openssl("req", "-new", "-key", "client.key", "-subj", "/CN=rollgate-admin", "-out", "client.csr");
  openssl("x509", "-req", "-in", "client.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-out", "client.crt");
  const read = (name: string) => readFileSync(join(dir, name));
  return {
    ca: read("ca.crt"),
    otherCa: read("other.crt"),
    serverCert: read("server.crt"),
    serverKey: read("server.key"),
    clientCert: read("client.crt"),
    clientKey: read("client.key"),
  };
}

describe("KubeClient", () => {
  let dir: string;
  let pki: ReturnType<typeof makePki>;
  let server: Server | undefined;
  let handler: Handler;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "rg-kubeclient-"));
    pki = makePki(dir);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  async function listen(kind: "http" | "https"): Promise<string> {
    const dispatch: Handler = (request, response) => handler(request, response);
    server =
      kind === "http"
        ? createHttpServer(dispatch)
        : createHttpsServer({ cert: pki.serverCert, key: pki.serverKey, ca: pki.ca, requestCert: true, rejectUnauthorized: false }, dispatch);
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    return `${kind}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it("GETs JSON over TLS verified against the kubeconfig's CA, with the bearer token", async () => {
    let authorization: string | undefined;
    handler = (request, response) => {
      authorization = request.headers.authorization;
      json(response, 200, { path: request.url, method: request.method });
    };
    const client = new KubeClient({ server: await listen("https"), ca: pki.ca, insecureSkipTlsVerify: false, token: () => "t0ken" });

    expect(await client.get("/apis/apps/v1/namespaces/ns/deployments/web")).toEqual({ path: "/apis/apps/v1/namespaces/ns/deployments/web", method: "GET" });
    expect(authorization).toBe("Bearer t0ken");
  });

  it("DELETEs and GETs with a query string, answering the API's JSON", async () => {
    handler = (request, response) => json(response, 200, { path: request.url, method: request.method });
    const client = new KubeClient({ server: await listen("http"), insecureSkipTlsVerify: false });

    expect(await client.delete("/api/v1/namespaces/pr-1")).toEqual({ path: "/api/v1/namespaces/pr-1", method: "DELETE" });
    expect(await client.get("/api/v1/namespaces?labelSelector=a%3Db")).toEqual({ path: "/api/v1/namespaces?labelSelector=a%3Db", method: "GET" });
  });

  it("sends a merge patch with its content type", async () => {
    let received: { contentType?: string; body: string } = { body: "" };
    handler = (request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      request.on("end", () => {
        received = { contentType: request.headers["content-type"], body };
        json(response, 200, { method: request.method });
      });
    };
    const client = new KubeClient({ server: await listen("http"), insecureSkipTlsVerify: false });

    expect(await client.mergePatch("/apis/g/v1/namespaces/n/routes/r/status", { status: { parents: [] } })).toEqual({ method: "PATCH" });
    expect(received).toEqual({ contentType: "application/merge-patch+json", body: '{"status":{"parents":[]}}' });
  });

  it("names the method and status of a refused DELETE", async () => {
    handler = (_request, response) => json(response, 404, { kind: "Status", message: 'namespaces "gone" not found' });
    const client = new KubeClient({ server: await listen("http"), insecureSkipTlsVerify: false });

    await expect(client.delete("/api/v1/namespaces/gone")).rejects.toMatchObject({ code: 404, message: 'DELETE /api/v1/namespaces/gone answered 404: namespaces "gone" not found' });
  });

  it("refuses a server its CA did not sign, unless insecure-skip-tls-verify is set", async () => {
    handler = (_request, response) => json(response, 200, { ok: true });
    const url = await listen("https");

    await expect(new KubeClient({ server: url, ca: pki.otherCa, insecureSkipTlsVerify: false }).get("/version")).rejects.toThrow(/certificate/);
    expect(await new KubeClient({ server: url, insecureSkipTlsVerify: true }).get("/version")).toEqual({ ok: true });
  });

  it("presents the client certificate", async () => {
    let subject: string | undefined;
    handler = (request, response) => {
      const socket = request.socket as TLSSocket;
      subject = socket.authorized ? String(socket.getPeerCertificate().subject.CN) : `unauthorized: ${String(socket.authorizationError)}`;
      json(response, 200, {});
    };
    const connection: KubeConnection = { server: await listen("https"), ca: pki.ca, insecureSkipTlsVerify: false, clientCertificate: pki.clientCert, clientKey: pki.clientKey };

    await new KubeClient(connection).get("/version");

    expect(subject).toBe("rollgate-admin");
  });

  it("sends basic auth when the user has a username and password", async () => {
    let authorization: string | undefined;
    handler = (request, response) => {
      authorization = request.headers.authorization;
      json(response, 200, {});
    };
    await new KubeClient({ server: await listen("http"), insecureSkipTlsVerify: false, basicAuth: { username: "ada", password: "pw" } }).get("/version");

    expect(authorization).toBe(`Basic ${Buffer.from("ada:pw").toString("base64")}`);
  });

  it("fails with the HTTP status as `code` and the Status object's message", async () => {
    handler = (_request, response) => json(response, 404, { kind: "Status", message: 'deployments.apps "web" not found', code: 404 });
    const client = new KubeClient({ server: await listen("http"), insecureSkipTlsVerify: false });

    const error = await client.get("/apis/apps/v1/namespaces/ns/deployments/web").catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(KubeApiError);
    expect(error).toMatchObject({ code: 404, message: 'GET /apis/apps/v1/namespaces/ns/deployments/web answered 404: deployments.apps "web" not found' });
  });

  it("times out a server that does not answer", async () => {
    handler = () => undefined;
    const client = new KubeClient({ server: await listen("http"), insecureSkipTlsVerify: false }, { timeoutMs: 200 });

    await expect(client.get("/version")).rejects.toThrow("GET /version timed out after 200 ms");
  });

  describe("with an exec credential plugin", () => {
    const plugin = () => {
      const script = join(dir, "plugin.cjs");
      const calls = join(dir, `calls-${Math.random().toString(36).slice(2)}`);
      writeFileSync(calls, "");
      writeFileSync(
        script,
        `const fs = require("node:fs");
const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
fs.appendFileSync(process.argv[2], info.kind + " " + info.spec.interactive + " " + process.env.CLUSTER + "\\n");
const n = fs.readFileSync(process.argv[2], "utf8").trim().split("\\n").length;
console.log(JSON.stringify({ apiVersion: info.apiVersion, kind: "ExecCredential", status: { token: "exec-" + n, expirationTimestamp: process.argv[3] } }));
`,
      );
      return { script, calls: () => readFileSync(calls, "utf8").trim().split("\n"), callsFile: calls };
    };

    it("runs the plugin once and reuses its token until a minute before it expires", async () => {
      const seen: (string | undefined)[] = [];
      handler = (request, response) => {
        seen.push(request.headers.authorization);
        json(response, 200, {});
      };
      const { script, calls, callsFile } = plugin();
      let now = Date.parse("2026-01-01T00:00:00Z");
      const exec = { command: process.execPath, args: [script, callsFile, "2026-01-01T00:10:00Z"], env: [{ name: "CLUSTER", value: "eks-prod" }] };
      const client = new KubeClient({ server: await listen("http"), insecureSkipTlsVerify: false, exec }, { now: () => now });

      await client.get("/version");
      await client.get("/version");
      now = Date.parse("2026-01-01T00:09:30Z");
      await client.get("/version");

      expect(seen).toEqual(["Bearer exec-1", "Bearer exec-1", "Bearer exec-2"]);
      expect(calls()).toEqual(["ExecCredential false eks-prod", "ExecCredential false eks-prod"]);
    });

    it("runs the plugin again after the API answers 401", async () => {
      const seen: (string | undefined)[] = [];
      handler = (request, response) => {
        seen.push(request.headers.authorization);
        json(response, seen.length === 1 ? 401 : 200, { message: "Unauthorized" });
      };
      const { script, callsFile } = plugin();
      const exec = { command: process.execPath, args: [script, callsFile, "2099-01-01T00:00:00Z"] };
      const client = new KubeClient({ server: await listen("http"), insecureSkipTlsVerify: false, exec });

      await expect(client.get("/version")).rejects.toMatchObject({ code: 401 });
      await client.get("/version");

      expect(seen).toEqual(["Bearer exec-1", "Bearer exec-2"]);
    });

    it("gives the plugin the user's environment without the service's own secrets", async () => {
      handler = (_request, response) => json(response, 200, {});
      const script = join(dir, "env-plugin.cjs");
      const seenFile = join(dir, "env-seen.json");
      writeFileSync(
        script,
        `require("node:fs").writeFileSync(process.argv[2], JSON.stringify(process.env));
console.log(JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: { token: "t" } }));
`,
      );
      const secrets = { ROLLGATE_GITHUB_TOKEN: "ghp_x", PULUMI_CONFIG_PASSPHRASE: "p", GITHUB_TOKEN: "g", AWS_PROFILE: "prod" };
      const saved = Object.fromEntries(Object.keys(secrets).map((name) => [name, process.env[name]]));
      Object.assign(process.env, secrets);
      try {
        const exec = { command: process.execPath, args: [script, seenFile], env: [{ name: "CLUSTER", value: "eks-prod" }] };
        await new KubeClient({ server: await listen("http"), insecureSkipTlsVerify: false, exec }).get("/version");
      } finally {
        for (const [name, value] of Object.entries(saved)) {
          if (value === undefined) delete process.env[name];
          else process.env[name] = value;
        }
      }

      const seen = JSON.parse(readFileSync(seenFile, "utf8")) as Record<string, string>;
      expect(Object.keys(seen).filter((name) => /^(ROLLGATE_|PULUMI_|GITHUB_)/.test(name))).toEqual([]);
      expect(seen).toMatchObject({ AWS_PROFILE: "prod", CLUSTER: "eks-prod", PATH: process.env.PATH });
    });

    it("names the plugin when it fails", async () => {
      handler = (_request, response) => json(response, 200, {});
      const client = new KubeClient({ server: await listen("http"), insecureSkipTlsVerify: false, exec: { command: join(dir, "no-such-plugin") } });

      await expect(client.get("/version")).rejects.toThrow(/the kubeconfig credential plugin `.*no-such-plugin` failed/);
    });
  });
});
