/** The local data plane's environment (`ROLLGATE_*`), with the defaults `npm start` uses. */
import { join } from "node:path";
import { z } from "zod";
import { integer, parseVariables } from "../env";

const Variables = z.object({
  ROLLGATE_STATE_DIR: z.string().default(".rollgate"),
  ROLLGATE_DATAPLANE_DIR: z.string().optional(),
  ROLLGATE_GATEWAY_PORT: integer(1, 65535).default("18080"),
  ROLLGATE_PROMETHEUS_PORT: integer(1, 65535).default("19090"),
  ROLLGATE_DATAPLANE_PORT: integer(1, 65535).default("18081"),
  ROLLGATE_SAMPLE_APP_IMAGE: z
    .string()
    .regex(/^[a-z0-9][a-z0-9./_:-]*[a-z0-9]$/, "must be an image repository without tag, e.g. ghcr.io/rollgate/sample-app")
    .default("ghcr.io/rollgate/sample-app"),
  ROLLGATE_TRAFFIC_RPS: integer(0, 500).default("40"),
  ROLLGATE_DATAPLANE_INTERVAL_MS: integer(100, 10_000).default("300"),
});

/** The data plane's variables, from its schema (the README's Configuration table names each: test/readme.test.ts). */
export const DATA_PLANE_VARIABLES = Object.keys(Variables.shape) as readonly (keyof typeof Variables.shape)[];

export interface DataPlaneSettings {
  readonly dir: string;
  readonly gatewayPort: number;
  readonly prometheusPort: number;
  /** The data plane's own `/status` and `/metrics` (the gateway's access counts). */
  readonly statusPort: number;
  readonly sampleAppRepository: string;
  /** Requests per second sent through the gateway to each route; 0 sends none. */
  readonly trafficPerRoute: number;
  readonly intervalMs: number;
}

export function dataPlaneSettings(env: NodeJS.ProcessEnv): DataPlaneSettings {
  const v = parseVariables(Variables, env);
  return {
    dir: v.ROLLGATE_DATAPLANE_DIR ?? join(v.ROLLGATE_STATE_DIR, "dataplane"),
    gatewayPort: v.ROLLGATE_GATEWAY_PORT,
    prometheusPort: v.ROLLGATE_PROMETHEUS_PORT,
    statusPort: v.ROLLGATE_DATAPLANE_PORT,
    sampleAppRepository: v.ROLLGATE_SAMPLE_APP_IMAGE,
    trafficPerRoute: v.ROLLGATE_TRAFFIC_RPS,
    intervalMs: v.ROLLGATE_DATAPLANE_INTERVAL_MS,
  };
}
