/** The app around the fake release controller, on a clock a day after its releases. */
import pino from "pino";
import request from "supertest";
import { type RollgateApp } from "../../../automation/app";
import { buildApp } from "../support/app";
import { FakeClock } from "../support/harness";
import { FakeStackEngine } from "../support/fakeEngine";
import { FakeReleaseController, releaseTokenStore } from "../releases/support";

export interface DoraHarness {
  readonly rollgate: RollgateApp;
  readonly controller: FakeReleaseController;
  readonly http: ReturnType<typeof request>;
}

export function createReleaseHarness(): DoraHarness {
  const controller = new FakeReleaseController();
  const rollgate = buildApp({
    engine: new FakeStackEngine(),
    logger: pino({ level: "silent" }),
    tokens: releaseTokenStore(),
    readinessChecks: [],
    waitForDeployment: async () => undefined,
    clock: new FakeClock(new Date("2030-01-03T00:00:00.000Z")),
    config: { maxConcurrentOperations: 2, previewDefaultTtlHours: 72, smokeChecks: [] },
    releases: controller,
  });
  return { rollgate, controller, http: request(rollgate.app) };
}
