import { describe, expect, it } from "vitest";

import { imagePinningProblems } from "../../../policies/checks/images";

const digest = `sha256:${"0f".repeat(32)}`;

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

  it("accepts a digest whatever the tag says", () => {
    expect(imagePinningProblems(`nginx:latest@${digest}`, { requireDigest: true })).toEqual([]);
  });

  it("rejects a digest in upper case", () => {
    expect(imagePinningProblems(`nginx@${digest.toUpperCase()}`, { requireDigest: true })).toEqual([
      "must use a digest of the form @sha256:<64 lowercase hex digits>",
    ]);
  });

  it("reports an image that is not a reference instead of reading a tag from it", () => {
    expect(imagePinningProblems("Nginx:1.27", { requireDigest: false })).toEqual([
      expect.stringMatching(/repository path .*\(got "Nginx"\)/),
    ]);
  });
});
