import type { AddressInfo } from "node:net";
import type { Response as SuperagentResponse } from "superagent";
import { afterEach, describe, expect, it } from "vitest";
import { bearer, createHarness, tokens, type Harness } from "../support/harness";
import { collect, parseSse } from "../support/sse";

/** Buffers a text/event-stream body (superagent hands its parser the Node response stream). */
const textBody = (res: SuperagentResponse, callback: (err: Error | null, body: string) => void): void => {
  const stream = res as unknown as NodeJS.ReadableStream;
  let data = "";
  stream.on("data", (chunk: Buffer) => {
    data += chunk.toString("utf8");
  });
  stream.on("end", () => callback(null, data));
};

async function createPreview(h: Harness, pr = 1): Promise<string> {
  const response = await h.http.post("/api/v1/previews").set("Authorization", bearer(tokens.writer)).send({ pr, image: "ghcr.io/a/b:1" });
  return response.body.operation.id as string;
}

describe("GET /api/v1/operations/:id", () => {
  it("reports a finished operation with times, changes, actor and log", async () => {
    const h = createHarness();
    const id = await createPreview(h);
    await h.idle();

    const response = await h.http.get(`/api/v1/operations/${id}`).set("Authorization", bearer(tokens.reader));

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      id,
      kind: "up",
      stack: "preview-pr-1",
      status: "succeeded",
      actor: "writer",
      queuedAt: expect.any(String),
      startedAt: expect.any(String),
      finishedAt: expect.any(String),
      changes: { create: 3 },
      error: null,
      attempts: 1,
      log: expect.arrayContaining(["Updating (preview-pr-1)", "waiting for deployment pr-1-ns/sample-app-preview"]),
    });
  });

  it("answers 404 for an unknown operation", async () => {
    const h = createHarness();

    const response = await h.http.get("/api/v1/operations/6f1c1f8e-0a4b-4c1d-9a55-0d1f6c1e2a3b").set("Authorization", bearer(tokens.reader));

    expect(response.status).toBe(404);
  });
});

describe("GET /api/v1/operations/:id/events", () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  /** Starts an operation the engine holds, and serves the app on a port (closed after the test). */
  async function serveHeldOperation(h: Harness): Promise<{ id: string; port: number }> {
    h.engine.holding = true;
    const id = await createPreview(h);
    await h.engine.waitForHeld(1);
    const server = h.rollgate.app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    close = () => new Promise((resolve) => server.close(() => resolve()));
    return { id, port: (server.address() as AddressInfo).port };
  }

  it("replays the events of a finished operation and ends the stream", async () => {
    const h = createHarness();
    const id = await createPreview(h);
    await h.idle();

    const response = await h.http
      .get(`/api/v1/operations/${id}/events`)
      .set("Authorization", bearer(tokens.reader))
      .buffer(true)
      .parse(textBody);

    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^text\/event-stream/);
    const events = parseSse(response.body as string);
    expect(events.map((event) => event.event)).toEqual(["engine", "engine", "status", "end"]);
    expect(events[0]).toMatchObject({ id: expect.stringMatching(/^\d+$/), data: { type: "preludeEvent", sequence: 1 } });
    expect(events[3]?.data).toEqual({ status: "succeeded" });
  });

  it("resumes after Last-Event-ID", async () => {
    const h = createHarness();
    const id = await createPreview(h);
    await h.idle();
    const stream = (lastEventId?: string) => {
      const request = h.http.get(`/api/v1/operations/${id}/events`).set("Authorization", bearer(tokens.reader));
      return (lastEventId === undefined ? request : request.set("Last-Event-ID", lastEventId)).buffer(true).parse(textBody);
    };
    const engineIds = async (lastEventId?: string) =>
      parseSse((await stream(lastEventId)).body as string).filter((event) => event.event === "engine").map((event) => event.id);

    const all = await engineIds();
    const resumed = await engineIds(all[0]);

    expect(all).toHaveLength(2);
    expect(resumed).toEqual([all[1]]);
  });

  it("streams live events until the operation finishes", async () => {
    const h = createHarness({ sseHeartbeatMs: 10 });
    const { id, port } = await serveHeldOperation(h);

    const response = await fetch(`http://127.0.0.1:${port}/api/v1/operations/${id}/events`, {
      headers: { authorization: bearer(tokens.reader) },
    });
    const stream = collect(response.body as ReadableStream<Uint8Array>);
    await stream.firstChunk;
    await new Promise((resolve) => setTimeout(resolve, 30));
    h.engine.release();
    const events = parseSse(await stream.text);

    const engineTypes = events.filter((event) => event.event === "engine").map((event) => (event.data as { type: string }).type);
    expect(events.find((event) => event.event === "status")).toMatchObject({ data: { status: "running" } });
    expect(engineTypes[0]).toBe("preludeEvent");
    expect(engineTypes).toContain("summaryEvent");
    expect(events.at(-2)).toMatchObject({ event: "status", data: { status: "succeeded" } });
    expect(events.at(-1)).toEqual({ event: "end", data: { status: "succeeded" } });
  });

  it("answers 429 with Retry-After when the token already holds its most streams, and frees the slot when one closes", async () => {
    const h = createHarness({ sseHeartbeatMs: 10, eventStreams: { perToken: 2, total: 10 } });
    const { id, port } = await serveHeldOperation(h);
    const open = (token: string, signal?: AbortSignal) =>
      fetch(`http://127.0.0.1:${port}/api/v1/operations/${id}/events`, { headers: { authorization: bearer(token) }, ...(signal ? { signal } : {}) });

    const aborts = [new AbortController(), new AbortController()];
    const held = await Promise.all(aborts.map((abort) => open(tokens.reader, abort.signal)));
    const third = await open(tokens.reader);
    const otherToken = await open(tokens.admin);
    aborts[0]!.abort();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const afterClose = await open(tokens.reader);

    expect(held.map((response) => response.status)).toEqual([200, 200]);
    expect(third.status).toBe(429);
    expect(third.headers.get("retry-after")).toBe("5");
    expect(((await third.json()) as { detail: string }).detail).toContain("2 event streams open");
    expect(otherToken.status).toBe(200);
    expect(afterClose.status).toBe(200);
    aborts[1]!.abort();
    h.engine.release();
    await Promise.all([otherToken.text(), afterClose.text()]);
  });
});
