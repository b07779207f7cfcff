/** A scripted GitHub REST API on node `http`: each route answers its replies in order, repeating the last. */
import { generateKeyPairSync } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Writable } from "node:stream";
import { createLogger } from "../../../../automation/logger";
import type { Logger } from "../../../../automation/deps";
import { startServer, type LocalServer } from "../../support/httpServer";

export interface Reply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

export interface RecordedRequest {
  readonly route: string;
  readonly authorization: string;
  readonly body: unknown;
}

export interface FakeGitHub {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** `route` is `METHOD /path` without the query string. */
  reply(route: string, ...replies: Reply[]): FakeGitHub;
  requestsTo(route: string): RecordedRequest[];
  close(): Promise<void>;
}

export async function startFakeGitHub(): Promise<FakeGitHub> {
  const scripts = new Map<string, Reply[]>();
  const requests: RecordedRequest[] = [];
  const server: LocalServer = await startServer((req, res) => void answer(req, res));

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const route = `${req.method} ${new URL(req.url ?? "/", "http://fake").pathname}`;
    const text = await readBody(req);
    requests.push({ route, authorization: req.headers.authorization ?? "", body: text === "" ? undefined : (JSON.parse(text) as unknown) });
    const script = scripts.get(route);
    const reply = (script && script.length > 1 ? script.shift() : script?.[0]) ?? { status: 404, body: { message: "Not Found" } };
    res.writeHead(reply.status, { "content-type": "application/json; charset=utf-8", ...reply.headers });
    res.end(reply.body === undefined ? "" : JSON.stringify(reply.body));
  }

  const fake: FakeGitHub = {
    url: server.url,
    requests,
    reply(route, ...replies) {
      scripts.set(route, [...replies]);
      return fake;
    },
    requestsTo: (route) => requests.filter((request) => request.route === route),
    close: () => server.close(),
  };
  return fake;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** A debug-level logger whose lines land in `lines`. */
export function capturingLogger(lines: string[]): Logger {
  return createLogger(
    "debug",
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString("utf8"));
        callback();
      },
    }),
  );
}

/** Client settings that keep retries and write spacing fast. */
export const fastRetries = { retries: 2, retryDelayUnitMs: 1, writeSpacingMs: 0 } as const;

/** An App key pair in the format GitHub hands out (PKCS#1 PEM). */
export function generateAppKey(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
}

/** What `POST /app/installations/:id/access_tokens` answers. */
export function installationTokenReply(token: string): Reply {
  return {
    status: 201,
    body: { token, expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: { statuses: "write" }, repository_selection: "all" },
  };
}
