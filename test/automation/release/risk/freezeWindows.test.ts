import { describe, expect, it } from "vitest";
import { activeFreezeWindow } from "../../../../automation/release/risk/freezeWindows";
import type { FreezeWindow } from "../../../../automation/release/risk/riskConfig";

const berlinFridayAfternoon: FreezeWindow = { name: "friday", days: ["fri"], from: "12:00", to: "18:00", timeZone: "Europe/Berlin" };
const newYorkFridayEvening: FreezeWindow = { name: "evening", days: ["fri"], from: "20:00", to: "23:00", timeZone: "America/New_York" };

function frozenAt(window: FreezeWindow, instant: string): boolean {
  return activeFreezeWindow([window], new Date(instant)) !== undefined;
}

describe("freeze windows", () => {
  it("start at `from`, inclusive (Friday 12:00 Berlin in winter is 11:00 UTC)", () => {
    expect(frozenAt(berlinFridayAfternoon, "2026-12-04T10:59:00Z")).toBe(false);
    expect(frozenAt(berlinFridayAfternoon, "2026-12-04T11:00:00Z")).toBe(true);
  });

  it("end at `to`, exclusive", () => {
    expect(frozenAt(berlinFridayAfternoon, "2026-12-04T16:59:00Z")).toBe(true);
    expect(frozenAt(berlinFridayAfternoon, "2026-12-04T17:00:00Z")).toBe(false);
  });

  it("follow daylight saving time: 10:30 UTC is inside on the Friday before the change, outside on the Friday after", () => {
    expect(frozenAt(berlinFridayAfternoon, "2026-10-23T10:30:00Z")).toBe(true); // 12:30 CEST
    expect(frozenAt(berlinFridayAfternoon, "2026-10-30T10:30:00Z")).toBe(false); // 11:30 CET
  });

  it("take the weekday in the window's own time zone (Saturday 02:00 UTC is Friday 21:00 in New York)", () => {
    expect(frozenAt(newYorkFridayEvening, "2026-12-05T02:00:00Z")).toBe(true);
    expect(frozenAt(berlinFridayAfternoon, "2026-12-05T02:00:00Z")).toBe(false);
  });

  it("read midnight as 00:00, not 24:00", () => {
    const earlyMonday: FreezeWindow = { name: "maintenance", days: ["mon"], from: "00:00", to: "06:00", timeZone: "UTC" };

    expect(frozenAt(earlyMonday, "2026-12-07T00:00:00Z")).toBe(true);
    expect(frozenAt(earlyMonday, "2026-12-06T23:59:00Z")).toBe(false);
  });

  it("do not apply on other days", () => {
    expect(frozenAt(berlinFridayAfternoon, "2026-12-03T13:00:00Z")).toBe(false); // Thursday
  });

  it("name the window that applies", () => {
    expect(activeFreezeWindow([newYorkFridayEvening, berlinFridayAfternoon], new Date("2026-12-04T13:00:00Z"))?.name).toBe("friday");
  });
});
