/** HTTP shapes of the DORA metrics: `GET /api/v1/dora`. */
import { z } from "zod";
import { BANDS } from "../services/dora/bands";
import { DoraWindow } from "../services/dora/window";
import type { DoraView } from "../services/dora/doraService";
import { EnvironmentName } from "./releases";
import { Timestamp } from "./common";

export const DoraQuery = z
  .object({
    environment: EnvironmentName.default("production"),
    window: DoraWindow.default("30d"),
  })
  .strict();

export type DoraQuery = z.output<typeof DoraQuery>;

const Band = z.enum(BANDS).nullable().describe("DORA performance band; null without samples");

const figure = (value: string) =>
  z.object({
    value: z.number().nullable().describe(value),
    band: Band,
    samples: z.number().int().min(0),
  });

const bounds = z.object({ elite: z.number(), high: z.number(), medium: z.number() }).strict();

export const DoraSchema = z
  .object({
    environment: z.string(),
    window: z.string(),
    from: Timestamp,
    to: Timestamp,
    thresholds: z
      .object({
        source: z.string(),
        deploymentFrequencyPerDay: bounds,
        leadTimeSeconds: bounds,
        changeFailureRate: bounds,
        timeToRestoreSeconds: bounds,
      })
      .strict(),
    deploymentFrequency: figure("Successful releases per day").extend({ perWeek: z.number() }).strict(),
    leadTimeForChanges: figure("Median seconds from commit to production")
      .extend({ withoutCommitTime: z.number().int().min(0).describe("Successful releases without a commit time (not counted)") })
      .strict(),
    changeFailureRate: figure("Rolled back or failed ÷ finished releases (0..1)")
      .extend({ failed: z.number().int().min(0), finished: z.number().int().min(0) })
      .strict(),
    timeToRestore: figure("Median seconds from a failed release to the next successful one")
      .extend({ unrestored: z.number().int().min(0).describe("Failures not followed by a successful release yet") })
      .strict(),
  })
  .strict() satisfies z.ZodType<DoraView, z.ZodTypeDef, unknown>;
