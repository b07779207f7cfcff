import { describe, expect, it } from "vitest";
import { bearer, createHarness, tokens, type Harness } from "../support/harness";

const create = (h: Harness, pr: number, image = "ghcr.io/acme/app:1") =>
  h.http.post("/api/v1/previews").set("Authorization", bearer(tokens.writer)).send({ pr, image });
const get = (h: Harness, pr: number) => h.http.get(`/api/v1/previews/${pr}`).set("Authorization", bearer(tokens.reader));
const list = (h: Harness) => h.http.get("/api/v1/previews").set("Authorization", bearer(tokens.reader));
const outputReads = (h: Harness) => h.engine.calls.filter((call) => call.method === "outputs").length;

describe("preview reads from the journal's copy of the outputs", () => {
  it("answers a deployed preview without reading the engine's outputs", async () => {
    const h = createHarness();
    await create(h, 1);
    await h.idle();
    const before = outputReads(h);

    const one = await get(h, 1);
    const all = await list(h);

    expect(one.body).toMatchObject({ status: "ready", url: "http://127.0.0.1:9/pr-1", image: "ghcr.io/acme/app:1" });
    expect(all.body.previews).toEqual([one.body]);
    expect(outputReads(h)).toBe(before);
  });

  it("lists a preview whose stack exists while its first update runs as creating, without an engine read", async () => {
    const h = createHarness();
    h.engine.holding = true;
    await create(h, 2);
    await h.engine.waitForHeld(1);
    // The engine made the stack (`stack init`) before the held update: it has no outputs yet.
    h.engine.stacks.set("preview-pr-2", { config: {}, outputs: {}, updateInProgress: true });

    const preview = await get(h, 2);

    expect(preview.body).toMatchObject({ status: "creating", url: null, image: "ghcr.io/acme/app:1" });
    expect(outputReads(h)).toBe(0);
    h.engine.holding = false;
    h.engine.release();
    await h.idle();
  });

  it("shows the outputs of the last update while the next one runs", async () => {
    const h = createHarness();
    await create(h, 3, "ghcr.io/acme/app:1");
    await h.idle();
    h.engine.holding = true;
    await create(h, 3, "ghcr.io/acme/app:2");
    await h.engine.waitForHeld(1);
    const before = outputReads(h);

    const updating = await get(h, 3);

    expect(updating.body).toMatchObject({ status: "updating", url: "http://127.0.0.1:9/pr-3", image: "ghcr.io/acme/app:1" });
    expect(outputReads(h)).toBe(before);
    h.engine.holding = false;
    h.engine.release();
    await h.idle();
    expect((await get(h, 3)).body).toMatchObject({ status: "ready", image: "ghcr.io/acme/app:2" });
  });

  it("reads the engine for a stack the service did not deploy", async () => {
    const h = createHarness();
    h.engine.seedPreview(4);

    const preview = await get(h, 4);

    expect(preview.body).toMatchObject({ status: "ready", image: "ghcr.io/acme/app:pr-4" });
    expect(outputReads(h)).toBe(1);
  });

  it("reads the engine after an update that failed before it recorded outputs", async () => {
    const h = createHarness();
    await create(h, 5, "ghcr.io/acme/app:1");
    await h.idle();
    h.engine.failUp = () => new Error("provider crashed");
    await create(h, 5, "ghcr.io/acme/app:2");
    await h.idle();
    const before = outputReads(h);

    const failed = await get(h, 5);

    expect(failed.body).toMatchObject({ status: "failed", image: "ghcr.io/acme/app:1", lastOperation: { status: "failed" } });
    expect(outputReads(h)).toBe(before + 1);
  });
});
