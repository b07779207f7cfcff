/** A local HTTP server standing in for a metrics backend, for a whole test file: it records each request and answers with the current handler. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll } from "vitest";

export type Handler = (request: IncomingMessage, response: ServerResponse) => void;

export interface FakeUpstream {
  /** `http://127.0.0.1:<port>`, set once the file's tests start. */
  url: string;
  /** How the next requests are answered. */
  handler: Handler;
  /** Requests since the current test started. */
  readonly requests: { url: URL; headers: IncomingMessage["headers"] }[];
}

export function fakeUpstreamForFile(): FakeUpstream {
  let server: Server;
  const upstream: FakeUpstream = { url: "", handler: json(500, {}), requests: [] };
  beforeAll(async () => {
    server = createServer((request, response) => {
      upstream.requests.push({ url: new URL(request.url ?? "/", "http://localhost"), headers: request.headers });
      upstream.handler(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    upstream.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => {
    upstream.requests.length = 0;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return upstream;
}

export function json(status: number, body: unknown): Handler {
  return (_request, response) => {
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  };
}

export function text(status: number, body: string): Handler {
  return (_request, response) => {
    response.writeHead(status, { "content-type": "text/plain" });
    response.end(body);
  };
}
