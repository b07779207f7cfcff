import { describe, expect, it } from "vitest";
import { bearer, createHarness, tokens } from "../support/harness";

describe("updating a preview the service has no journal entry for", () => {
  it("keeps the creation time from the stack's config", async () => {
    const h = createHarness();
    h.engine.seedPreview(5, { "rollgate:createdAt": "2030-01-01T00:00:00.000Z" });

    await h.http.post("/api/v1/previews").set("Authorization", bearer(tokens.writer)).send({ pr: 5, image: "ghcr.io/acme/app:2" });
    await h.idle();

    expect(h.engine.stacks.get("preview-pr-5")?.config["rollgate:createdAt"]).toBe("2030-01-01T00:00:00.000Z");
  });

  it("keeps the creation time from the stack's outputs when its config lives in another workspace", async () => {
    const h = createHarness();
    h.engine.seedPreview(5, { "rollgate:createdAt": "2030-01-01T00:00:00.000Z", "rollgate:ttlHours": "720" });
    const seeded = h.engine.stacks.get("preview-pr-5");
    if (seeded) seeded.config = {}; // a DIY backend keeps stack config in the workspace that ran `up`

    await h.http
      .post("/api/v1/previews")
      .set("Authorization", bearer(tokens.writer))
      .send({ pr: 5, image: "ghcr.io/acme/app:2", ttlHours: 1 });
    await h.idle();
    const preview = await h.http.get("/api/v1/previews/5").set("Authorization", bearer(tokens.reader));

    expect(h.engine.stacks.get("preview-pr-5")?.config["rollgate:createdAt"]).toBe("2030-01-01T00:00:00.000Z");
    expect(preview.body).toMatchObject({ createdAt: "2030-01-01T00:00:00.000Z", expiresAt: "2030-01-01T01:00:00.000Z" });
  });
});
