import { describe, expect, it } from "vitest";
import { RollgateClient } from "../../../automation/cli/client";

const preview = (pr: number) => ({
  pr,
  stack: `pr-${pr}`,
  status: "ready",
  url: null,
  image: null,
  branch: null,
  commitSha: null,
  createdAt: null,
  expiresAt: null,
  lastOperation: null,
});

describe("RollgateClient", () => {
  it("follows `nextCursor` until the last page of a list", async () => {
    const asked: string[] = [];
    const pages: Record<string, unknown> = {
      "": { previews: [preview(1), preview(2)], nextCursor: "2" },
      "2": { previews: [preview(3)], nextCursor: null },
    };
    const fetch = (async (input: string | URL | Request) => {
      const url = new URL(String(input));
      asked.push(url.search);
      return new Response(JSON.stringify(pages[url.searchParams.get("cursor") ?? ""]), { headers: { "content-type": "application/json" } });
    }) as typeof globalThis.fetch;
    const client = new RollgateClient({ baseUrl: "http://rollgate.test", token: "t", fetch });

    const previews = await client.listPreviews();

    expect(previews.map((entry) => entry.pr)).toEqual([1, 2, 3]);
    expect(asked).toEqual(["?limit=500", "?limit=500&cursor=2"]);
  });
});
