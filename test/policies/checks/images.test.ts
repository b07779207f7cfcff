import { describe, expect, it } from "vitest";

import { imagePinningProblems, parseImage } from "../../../policies/checks/images";

const digest = `sha256:${"0f".repeat(32)}`;

describe("parseImage", () => {
  it.each([
    ["nginx", { repository: "nginx" }],
    ["nginx:1.27", { repository: "nginx", tag: "1.27" }],
    ["localhost:5000/team/web", { repository: "localhost:5000/team/web" }],
    ["localhost:5000/team/web:2.0", { repository: "localhost:5000/team/web", tag: "2.0" }],
    [`ghcr.io/acme/web@${digest}`, { repository: "ghcr.io/acme/web", digest }],
    [`ghcr.io/acme/web:1.0@${digest}`, { repository: "ghcr.io/acme/web", tag: "1.0", digest }],
  ])("parses %s", (image, expected) => {
    expect(parseImage(image)).toEqual(expected);
  });
});

describe("imagePinningProblems", () => {
  it("accepts a tag when no digest is required", () => {
    expect(imagePinningProblems("nginx:1.27", { requireDigest: false })).toEqual([]);
  });

  it("treats LATEST like latest", () => {
    expect(imagePinningProblems("nginx:LATEST", { requireDigest: false })).toEqual(["must not use the :latest tag"]);
  });

  it("reports both the missing tag and the missing digest where digests are required", () => {
    expect(imagePinningProblems("nginx", { requireDigest: true })).toHaveLength(2);
  });

  it("rejects a digest in upper case", () => {
    expect(imagePinningProblems(`nginx@${digest.toUpperCase()}`, { requireDigest: true })).toHaveLength(1);
  });
});
