import { describe, expect, it } from "vitest";
import { BranchName, CommitSha, PrNumberString } from "../../../automation/schemas/common";
import { branchNameProblem } from "../../../automation/schemas/gitRef";
import { ImageReference } from "../../../automation/schemas/imageReference";
import { imageTemplateProblem, renderImageTemplate } from "../../../automation/services/webhooks/imageTemplate";

describe("ImageReference", () => {
  it("accepts an OCI image reference and hands it on unchanged", () => {
    expect(ImageReference.parse("ghcr.io/acme/app:pr-12-abc")).toBe("ghcr.io/acme/app:pr-12-abc");
  });

  it("reports one issue naming the part that is wrong", () => {
    const result = ImageReference.safeParse("ghcr.io/acme/app@sha256:short");

    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message)).toEqual(["must use a digest of the form @sha256:<64 lowercase hex digits>"]);
  });

  it("keeps zod's message for a value that is not a string", () => {
    expect(ImageReference.safeParse(42).error?.issues[0]?.message).toBe("Expected string, received number");
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
