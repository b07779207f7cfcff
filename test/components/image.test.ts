import { describe, expect, it } from "vitest";
import {
  imageReferencePattern,
  imageReferenceProblem,
  imageVersion,
  isImageReference,
  isPinnedByDigest,
  parseImageReference,
  readImageReference,
} from "../../components/image";

const digest = `sha256:${"0123456789abcdef".repeat(4)}`;

describe("parseImageReference", () => {
  it.each([
    ["nginx", { repository: "nginx", path: "nginx" }],
    ["nginx:1.27", { repository: "nginx", path: "nginx", tag: "1.27" }],
    ["rollgate/app", { repository: "rollgate/app", path: "rollgate/app" }],
    ["ghcr.io/rollgate/sample-app:1.0.0", { repository: "ghcr.io/rollgate/sample-app", registry: "ghcr.io", path: "rollgate/sample-app", tag: "1.0.0" }],
    ["localhost:5000/app", { repository: "localhost:5000/app", registry: "localhost:5000", path: "app" }],
    ["localhost/app", { repository: "localhost/app", registry: "localhost", path: "app" }],
    ["[::1]:5000/team/app", { repository: "[::1]:5000/team/app", registry: "[::1]:5000", path: "team/app" }],
    ["a/b__c/d-e.f:TAG_1", { repository: "a/b__c/d-e.f", path: "a/b__c/d-e.f", tag: "TAG_1" }],
  ])("reads %s", (reference, expected) => {
    expect(parseImageReference(reference)).toEqual(expected);
  });

  it("reads a tag and a digest together", () => {
    expect(parseImageReference(`ghcr.io/rollgate/sample-app:1.0.0@${digest}`)).toEqual({
      repository: "ghcr.io/rollgate/sample-app",
      registry: "ghcr.io",
      path: "rollgate/sample-app",
      tag: "1.0.0",
      digest,
    });
  });

  it("reads a bare host and port as a repository and a tag, as distribution/reference does", () => {
    expect(parseImageReference("localhost:5000")).toEqual({ repository: "localhost", path: "localhost", tag: "5000" });
  });

  it.each([
    "",
    "Not An Image",
    "acme/UPPER",
    "Upper:1",
    "app:",
    "app:-tag",
    ":tag",
    "::",
    "app@sha256:xyz",
    `app@${digest.toUpperCase()}`,
    `app@sha512:${"a".repeat(128)}`,
    "app name",
    "app:tag;rm -rf /",
    "a//b",
    "app/",
    "-app",
    `app:${"t".repeat(129)}`,
    "$(whoami)/app",
    `${"a/".repeat(127)}ab`,
  ])("rejects %j", (reference) => {
    expect(isImageReference(reference)).toBe(false);
  });

  it("accepts a repository name of exactly 255 characters", () => {
    expect(isImageReference(`${"a/".repeat(127)}b:1`)).toBe(true);
  });

  it("rejects very long text without trying the pattern", () => {
    expect(isImageReference("a".repeat(100_000))).toBe(false);
  });
});

describe("the exported pattern", () => {
  it("decides like the parser", () => {
    const pattern = new RegExp(imageReferencePattern);
    for (const text of ["ghcr.io/a/b:1", `a@${digest}`, `${"a/".repeat(127)}ab`, "Bad Image", "a:"]) {
      expect(pattern.test(text)).toBe(isImageReference(text));
    }
  });
});

describe("imageReferenceProblem", () => {
  it.each([
    ["", /must not be empty/],
    ["app@sha256:xyz", /digest of the form @sha256:<64 lowercase hex digits>/],
    ["app:-x", /must have a tag of 1-128/],
    ["Bad_Host.x:5000/app:1", /registry of the form host\[:port\] \(got "Bad_Host.x:5000"\)/],
    ["ghcr.io/acme/App:1", /repository path .*\(got "App"\)/],
    ["a//b", /repository path .*\(got ""\)/],
    [`${"a/".repeat(127)}ab`, /repository name of at most 255 characters/],
    [":1", /must name a repository/],
  ])("says what is wrong with %j", (text, expected) => {
    expect(imageReferenceProblem(text)).toMatch(expected);
  });

  it("is undefined for a reference", () => {
    expect(imageReferenceProblem("ghcr.io/acme/app:1")).toBeUndefined();
  });
});

describe("readImageReference", () => {
  it("gives the reference or the problem, never both", () => {
    expect(readImageReference("nginx:1")).toEqual({ reference: { repository: "nginx", path: "nginx", tag: "1" } });
    expect(readImageReference("nginx:")).toEqual({ problem: imageReferenceProblem("nginx:") });
  });
});

describe("isPinnedByDigest", () => {
  it("is true with a digest, whatever the tag", () => {
    expect(isPinnedByDigest({ repository: "a", path: "a", tag: "latest", digest })).toBe(true);
    expect(isPinnedByDigest({ repository: "a", path: "a", tag: "1.0" })).toBe(false);
  });
});

describe("imageVersion", () => {
  it("is the tag", () => {
    expect(imageVersion("ghcr.io/rollgate/sample-app:1.2.3")).toBe("1.2.3");
  });

  it("is the start of the digest for a digest-only image", () => {
    expect(imageVersion(`ghcr.io/rollgate/sample-app@${digest}`)).toBe("0123456789ab");
  });

  it("is latest for an untagged image, as a pull would be", () => {
    expect(imageVersion("ghcr.io/rollgate/sample-app")).toBe("latest");
  });

  it("is a valid label value for a long or oddly punctuated tag", () => {
    const version = imageVersion(`app:_${"v1.".repeat(40)}-`);

    expect(version.length).toBeLessThanOrEqual(63);
    expect(version).toMatch(/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/);
  });
});
