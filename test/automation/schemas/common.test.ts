import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BranchName, CommitSha, ImageReference, PrNumberString } from "../../../automation/schemas/common";
import { branchNameProblem } from "../../../automation/schemas/gitRef";
import { parseImageReference } from "../../../automation/schemas/imageReference";
import { imageTemplateProblem, renderImageTemplate } from "../../../automation/services/webhooks/imageTemplate";

describe("parseImageReference", () => {
  it.each([
    ["nginx", { name: "nginx" }],
    ["nginx:1.27", { name: "nginx", tag: "1.27" }],
    ["ghcr.io/acme/app:pr-12-abc", { name: "ghcr.io/acme/app", tag: "pr-12-abc" }],
    ["localhost:5000/app", { name: "localhost:5000/app" }],
    ["registry.example.com:443/team/app@sha256:" + "a".repeat(64), { name: "registry.example.com:443/team/app", digest: "sha256:" + "a".repeat(64) }],
    ["app:v1@sha256:" + "b".repeat(64), { name: "app", tag: "v1", digest: "sha256:" + "b".repeat(64) }],
    ["a/b__c/d-e.f:TAG_1", { name: "a/b__c/d-e.f", tag: "TAG_1" }],
  ])("parses %s", (reference, expected) => {
    expect(parseImageReference(reference)).toEqual(expected);
  });

  it.each([
    "",
    "acme/UPPER",
    "app:",
    "app:-tag",
    ":tag",
    "app@sha256:short",
    "app name",
    "app:tag;rm -rf /",
    "a//b",
    "app/",
    "-app",
    "app:" + "t".repeat(129),
    "$(whoami)/app",
    "a/".repeat(130) + "b",
  ])("rejects %j", (reference) => {
    expect(parseImageReference(reference)).toBeUndefined();
  });

  it("accepts every reference built from the grammar's parts", () => {
    const component = fc.stringMatching(/^[a-z0-9]{1,8}(?:[._-][a-z0-9]{1,8}){0,2}$/);
    const tag = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/);
    fc.assert(
      fc.property(fc.array(component, { minLength: 1, maxLength: 3 }), tag, (parts, t) => {
        expect(parseImageReference(`ghcr.io/${parts.join("/")}:${t}`)).toBeDefined();
      }),
    );
  });
});

describe("branchNameProblem", () => {
  it.each(["main", "feature/login", "renovate/npm-zod-3.x", "fix_#12", "release-1.2"])("accepts %s", (branch) => {
    expect(branchNameProblem(branch)).toBeUndefined();
  });

  it.each(["", "a..b", "a b", "-x", "x/", "/x", "a//b", "x.lock", "x.", ".hidden", "a/.b", "a@{1}", "@", "a~1", "a^", "a:b", "a?", "a*", "a[", "a\\b", "tab\there", "x".repeat(256)])(
    "rejects %j",
    (branch) => {
      expect(branchNameProblem(branch)).toBeDefined();
    },
  );
});

describe("request field schemas", () => {
  it("reads PR numbers from decimal digits only", () => {
    expect(PrNumberString.parse("42")).toBe(42);
    for (const bad of ["0", "042", "-1", "1e3", "1.0", " 1", "0x10", "1000000000"]) {
      expect(PrNumberString.safeParse(bad).success).toBe(false);
    }
  });

  it("normalises commit SHAs to lower case", () => {
    expect(CommitSha.parse("ABCDEF" + "0".repeat(34))).toBe("abcdef" + "0".repeat(34));
  });

  it("applies the image and branch rules in the zod schemas", () => {
    expect(ImageReference.safeParse("ghcr.io/a/b:1").success).toBe(true);
    expect(ImageReference.safeParse("Nope").success).toBe(false);
    expect(BranchName.safeParse("a..b").success).toBe(false);
  });
});

describe("image templates", () => {
  it("fills in {pr}, {sha} and {shortSha}", () => {
    expect(renderImageTemplate("ghcr.io/acme/app:pr-{pr}-{shortSha}", { pr: 7, sha: "0123456789" + "a".repeat(30) })).toBe(
      "ghcr.io/acme/app:pr-7-0123456",
    );
  });

  it("refuses unknown placeholders and templates that cannot render a valid reference", () => {
    expect(imageTemplateProblem("ghcr.io/acme/app:pr-{pr}-{sha}")).toBeUndefined();
    expect(imageTemplateProblem("ghcr.io/acme/app:{branch}")).toMatch(/unknown placeholder \{branch\}/);
    expect(imageTemplateProblem("ghcr.io/acme/app:{pr} {sha}")).toMatch(/not render to a valid OCI image reference/);
  });
});
