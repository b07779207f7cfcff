/**
 * Whether an instant falls in a freeze window. Windows are wall-clock times in
 * their own IANA time zone, so they follow daylight saving time.
 */
import { WEEKDAYS, type FreezeWindow, type Weekday } from "./riskConfig";

interface WallClock {
  readonly weekday: Weekday;
  /** `HH:MM`, comparable as text with the windows' bounds. */
  readonly time: string;
}

export function activeFreezeWindow(windows: readonly FreezeWindow[], now: Date): FreezeWindow | undefined {
  return windows.find((window) => {
    const local = wallClock(now, window.timeZone);
    return window.days.includes(local.weekday) && local.time >= window.from && local.time < window.to;
  });
}

function wallClock(instant: Date, timeZone: string): WallClock {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  const weekday = WEEKDAYS.find((day) => day === part("weekday").toLowerCase());
  if (weekday === undefined) throw new Error(`unexpected weekday ${JSON.stringify(part("weekday"))} from Intl; this is a bug`);
  return { weekday, time: `${part("hour")}:${part("minute")}` };
}
