import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { ArgumentError, checks, defined, isHostname, knownValue, Problems } from "../../components/validation";

describe("Problems", () => {
  it("names the argument in backticks", () => {
    const problems = new Problems().known("port", 0, checks.integerBetween(1, 65535));

    expect(problems.list).toEqual(["`port` must be an integer from 1 to 65535 (got 0)"]);
  });

  it("skips values that are not known yet", () => {
    const problems = new Problems().known("port", pulumi.output(0), checks.integerBetween(1, 65535));

    expect(problems.list).toEqual([]);
  });

  it("throws every problem at once, naming the component", () => {
    const problems = new Problems().when("a", "must be set").when("b", "must be positive");

    expect(() => problems.throwIfAny('Thing "x"')).toThrow(new ArgumentError('Thing "x"', ["`a` must be set", "`b` must be positive"]));
  });

  it("keeps a child's problems under the child's name", () => {
    const problems = new Problems().child(() => {
      throw new ArgumentError('Child "c"', ["`image` must not be empty"]);
    });

    expect(problems.list).toEqual(['Child "c": `image` must not be empty']);
  });

  it("lets errors other than argument errors through", () => {
    const problems = new Problems();

    expect(() =>
      problems.child(() => {
        throw new TypeError("bug");
      }),
    ).toThrow(TypeError);
  });
});

describe("knownValue", () => {
  it("returns plain values and hides outputs and promises", () => {
    expect(knownValue(3)).toBe(3);
    expect(knownValue(pulumi.output(3))).toBeUndefined();
    expect(knownValue(Promise.resolve(3))).toBeUndefined();
  });
});

describe("defined", () => {
  it("drops undefined properties so defaults survive a spread", () => {
    const merged = { ...{ replicas: 1, port: 8080 }, ...defined({ replicas: undefined, port: 9090 }) };

    expect(merged).toEqual({ replicas: 1, port: 9090 });
  });
});

describe("isHostname", () => {
  it("accepts host names and a leading wildcard", () => {
    expect(isHostname("shop.example.com")).toBe(true);
    expect(isHostname("*.example.com")).toBe(true);
  });

  it("rejects empty labels, spaces and capitals", () => {
    for (const bad of ["", "shop..example.com", "shop example.com", "Shop.example.com", "-shop.example.com"]) {
      expect(isHostname(bad)).toBe(false);
    }
  });
});
