import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConditionSyntaxError, evaluateCondition, parseCondition } from "../../../../automation/release/analysis/condition";

const holds = (source: string, result: number) => evaluateCondition(parseCondition(source), result);

describe("condition parser", () => {
  it("compares the result with a number", () => {
    expect(holds("result < 0.05", 0.01)).toBe(true);
    expect(holds("result < 0.05", 0.05)).toBe(false);
    expect(holds("result <= 0.05", 0.05)).toBe(true);
    expect(holds("0.95 <= result", 0.99)).toBe(true);
    expect(holds("result == 0", 0)).toBe(true);
    expect(holds("result != 0", 0)).toBe(false);
  });

  it("reads negative numbers and exponents", () => {
    expect(holds("result > -1", -0.5)).toBe(true);
    expect(holds("result<-1", -2)).toBe(true);
    expect(holds("result < 1e-3", 0.0005)).toBe(true);
  });

  it("binds && tighter than ||, and honours parentheses and negation", () => {
    expect(holds("result > 5 || result > 1 && result < 2", 10)).toBe(true);
    expect(holds("(result > 5 || result > 1) && result < 2", 10)).toBe(false);
    expect(holds("!(result > 3)", 1)).toBe(true);
    expect(holds("not result > 3 and result >= 0 or result == 100", 100)).toBe(true);
  });

  it("evaluates every comparison as false for NaN except !=", () => {
    expect(holds("result < 1", Number.NaN)).toBe(false);
    expect(holds("result >= 1", Number.NaN)).toBe(false);
    expect(holds("result != 1", Number.NaN)).toBe(true);
  });

  it("rejects code, naming the position", () => {
    expect(() => parseCondition("process.exit(1)")).toThrow(ConditionSyntaxError);
    expect(() => parseCondition("result < 1; process.exit(1)")).toThrow(/unexpected character ";" at position 10/);
    expect(() => parseCondition("len(result) > 0")).toThrow(/unknown name "len"/);
  });

  it("rejects malformed conditions with the reason", () => {
    expect(() => parseCondition("result <")).toThrow(/expected `result` or a number but found "end of condition"/);
    expect(() => parseCondition("(result < 1")).toThrow(/expected "\)"/);
    expect(() => parseCondition("result < 1 2")).toThrow(/unexpected "2"/);
    expect(() => parseCondition("result - 1 < 2")).toThrow(/unexpected character "-"/);
    expect(() => parseCondition("")).toThrow(/expected `result` or a number/);
  });

  it("rejects a condition that never looks at the result", () => {
    expect(() => parseCondition("1 < 2")).toThrow(/never mentions `result`/);
  });

  it("rejects very long conditions", () => {
    expect(() => parseCondition("result < 1 && ".repeat(40) + "result < 1")).toThrow(/longer than 500 characters/);
  });

  it("agrees with JavaScript's comparison for any threshold and value", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.double({ noNaN: true, noDefaultInfinity: true }), (threshold, value) => {
        const literal = String(threshold);
        expect(holds(`result < ${literal}`, value)).toBe(value < threshold);
        expect(holds(`result >= ${literal}`, value)).toBe(value >= threshold);
      }),
    );
  });

  it("never throws anything but a syntax error on arbitrary input", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (source) => {
        try {
          parseCondition(source);
        } catch (error) {
          expect(error).toBeInstanceOf(ConditionSyntaxError);
        }
      }),
    );
  });
});
