import { describe, expect, it } from "vitest";
import { parseStartReleaseRequest } from "../../../automation/release/schemas";
import { transition } from "../../../automation/release/stateMachine";
import { bearer, releaseTokens, type FakeReleaseController } from "../releases/support";
import { createReleaseHarness } from "./support";

describe("GET /api/v1/dora", () => {
  it("answers the four figures with bands and sample counts for production over 30 days by default", async () => {
    const { http, controller } = createReleaseHarness();
    await finishedRelease(controller, "production", "succeeded");
    await finishedRelease(controller, "production", "rolledBack");

    const response = await http.get("/api/v1/dora").set("Authorization", bearer(releaseTokens.reader));

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      environment: "production",
      window: "30d",
      deploymentFrequency: { samples: 1, band: "medium" },
      changeFailureRate: { value: 0.5, failed: 1, finished: 2, band: "low" },
      leadTimeForChanges: { value: null, samples: 0, withoutCommitTime: 1, band: null },
      timeToRestore: { samples: 0, unrestored: 1 },
      thresholds: { source: expect.stringContaining("2023"), changeFailureRate: { elite: 0.05, high: 0.1, medium: 0.15 } },
    });
  });

  it("takes the environment and window from the query", async () => {
    const { http, controller } = createReleaseHarness();
    await finishedRelease(controller, "staging", "succeeded");

    const response = await http.get("/api/v1/dora?environment=staging&window=7d").set("Authorization", bearer(releaseTokens.staging));

    expect(response.body).toMatchObject({ environment: "staging", window: "7d", deploymentFrequency: { samples: 1, band: "high" } });
  });

  it("needs releases:read or the environment's release scope", async () => {
    const { http } = createReleaseHarness();

    const response = await http.get("/api/v1/dora?environment=production").set("Authorization", bearer(releaseTokens.staging));

    expect(response.status).toBe(403);
  });

  it.each([
    ["window=30", "query.window"],
    ["window=400d", "query.window"],
    ["environment=Prod", "query.environment"],
    ["environment=read", "query.environment"],
    ["since=1d", "query"],
  ])("answers 400 naming the field for %s", async (query, path) => {
    const { http } = createReleaseHarness();

    const response = await http.get(`/api/v1/dora?${query}`).set("Authorization", bearer(releaseTokens.reader));

    expect(response.status).toBe(400);
    expect(response.body.errors.map((error: { path: string }) => error.path)).toContain(path);
  });
});

let images = 0;
async function finishedRelease(controller: FakeReleaseController, environment: string, status: "succeeded" | "rolledBack"): Promise<void> {
  images += 1;
  const release = await controller.start(parseStartReleaseRequest({ environment, image: `ghcr.io/acme/web:2.0.${images}` }), "ci");
  controller.update(release.id, (current) => transition(current, status, { at: new Date(Date.parse(current.startedAt) + 60_000) }));
}
