/** Reads a server-sent event stream into events. */

export interface SseEvent {
  readonly event: string;
  readonly id?: string;
  readonly data: unknown;
}

export function parseSse(text: string): SseEvent[] {
  return text
    .split("\n\n")
    .filter((block) => block.trim() !== "" && !block.startsWith(":"))
    .map((block) => {
      const fields = new Map<string, string>();
      for (const line of block.split("\n")) {
        const colon = line.indexOf(":");
        if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
      }
      const id = fields.get("id");
      return { event: fields.get("event") ?? "message", ...(id === undefined ? {} : { id }), data: JSON.parse(fields.get("data") ?? "null") };
    });
}

/** Collects a streamed response body chunk by chunk; `firstChunk` resolves when anything arrived. */
export function collect(body: ReadableStream<Uint8Array>): { firstChunk: Promise<void>; text: Promise<string> } {
  let markFirst: () => void = () => undefined;
  const firstChunk = new Promise<void>((resolve) => {
    markFirst = resolve;
  });
  const text = (async () => {
    const decoder = new TextDecoder();
    let all = "";
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      all += decoder.decode(chunk, { stream: true });
      markFirst();
    }
    return all;
  })();
  return { firstChunk, text };
}
