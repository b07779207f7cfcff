/** DORA windows such as `30d`, `12h`, `4w`. */
import { z } from "zod";

const unitMs = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;
export const MAX_WINDOW_MS = 366 * 86_400_000;

export function windowMs(window: string): number | undefined {
  const match = /^([1-9][0-9]{0,3})([hdw])$/.exec(window);
  if (!match) return undefined;
  const ms = Number(match[1]) * unitMs[match[2] as keyof typeof unitMs];
  return ms <= MAX_WINDOW_MS ? ms : undefined;
}

export const DoraWindow = z
  .string()
  .refine((window) => windowMs(window) !== undefined, "must be a duration such as 30d, 12h or 4w, at most 366 days")
  .describe("Window ending now: a number and h (hours), d (days) or w (weeks); at most 366 days");
