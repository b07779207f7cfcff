/** The readiness checks every service has, besides those its adapters add. */
import type { ReadinessCheck } from "./deps";
import type { StackEngine } from "./engine/port";
import type { RollgateStore } from "./store";

/** A readiness check that the state backend answers. */
export function backendReadiness(engine: StackEngine): ReadinessCheck {
  return { name: "backend", check: async () => void (await engine.list()) };
}

/** A readiness check that the database answers. */
export function databaseReadiness(store: RollgateStore): ReadinessCheck {
  return { name: "database", check: () => store.database.ping() };
}
