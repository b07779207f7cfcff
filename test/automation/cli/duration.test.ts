import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { duration, durationSeconds, formatDuration, parseFlags, UsageError } from "../../../automation/cli/args";

describe("durationSeconds", () => {
  it.each([
    ["90", 90],
    ["90s", 90],
    ["5m", 300],
    ["1h", 3600],
    ["1h30m", 5400],
    ["2d", 172_800],
    ["1d2h3m4s", 93_784],
    ["0", 0],
  ])("reads %s as %i seconds", (text, seconds) => {
    expect(durationSeconds(text)).toBe(seconds);
  });

  it("counts a bare number in the given unit", () => {
    expect(durationSeconds("72", "h")).toBe(72 * 3600);
    expect(durationSeconds("3d", "h")).toBe(3 * 86_400);
  });

  it.each(["", "h", "1.5", "-1", "5 m", "30m1h", "1h1h", "1w", "5ms", "1e3", "m5"])("rejects %j", (text) => {
    expect(durationSeconds(text)).toBeUndefined();
  });

  it("reads back what formatDuration writes", () => {
    fc.assert(fc.property(fc.nat({ max: 400 * 86_400 }), (seconds) => durationSeconds(formatDuration(seconds)) === seconds));
  });

  it("writes the shortest spelling", () => {
    expect([0, 59, 60, 5400, 86_400, 93_784].map(formatDuration)).toEqual(["0s", "59s", "1m", "1h30m", "1d", "1d2h3m4s"]);
  });
});

describe("duration flags", () => {
  const Flags = z.object({
    timeout: duration({ min: 1, max: 3600 }).optional(),
    ttl: duration({ unit: "hours", min: 1, max: 720 }).optional(),
  });
  const parse = (...argv: string[]) => parseFlags(Flags, argv);

  it.each([
    ["90", 90],
    ["90s", 90],
    ["5m", 300],
    ["1h", 3600],
    [" 15m ", 900],
  ])("gives --timeout %j in seconds", (text, seconds) => {
    expect(parse("--timeout", text).timeout).toBe(seconds);
  });

  it.each([
    ["72", 72],
    ["36h", 36],
    ["3d", 72],
    ["1d12h", 36],
  ])("gives an hours flag %j in hours", (text, hours) => {
    expect(parse("--ttl", text).ttl).toBe(hours);
  });

  it.each([
    [["--timeout", "soon"], "--timeout: must be a duration: seconds (90) or with units (90s, 5m, 1h30m)"],
    [["--timeout", "0"], "--timeout: must be from 1s to 1h, got 0s"],
    [["--timeout", "1h30m"], "--timeout: must be from 1s to 1h, got 1h30m"],
    [["--ttl", "90m"], "--ttl: must be a whole number of hours"],
    [["--ttl", "31d"], "--ttl: must be from 1h to 30d, got 31d"],
    [["--ttl=1.5"], "--ttl: must be a duration: hours (72) or with units (72h, 3d, 1d12h)"],
  ])("rejects %j with a usage error naming the flag", (argv, message) => {
    expect(() => parse(...argv)).toThrow(new UsageError(message));
  });
});
