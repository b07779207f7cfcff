import { describe, expect, it } from "vitest";
import { imageVersion, isImageReference, parseImageReference } from "../../components/image";

const digest = `sha256:${"0123456789abcdef".repeat(4)}`;

describe("parseImageReference", () => {
  it("splits registry and repository from the tag", () => {
    expect(parseImageReference("ghcr.io/rollgate/sample-app:1.0.0")).toEqual({
      repository: "ghcr.io/rollgate/sample-app",
      tag: "1.0.0",
    });
  });

  it("reads a tag and a digest together", () => {
    expect(parseImageReference(`ghcr.io/rollgate/sample-app:1.0.0@${digest}`)).toEqual({
      repository: "ghcr.io/rollgate/sample-app",
      tag: "1.0.0",
      digest,
    });
  });

  it("accepts a registry with a port and an untagged image", () => {
    expect(parseImageReference("localhost:5000/app")).toEqual({ repository: "localhost:5000/app" });
  });

  it("rejects text that is not an image reference", () => {
    for (const bad of ["", "Not An Image", "app:", "app@sha256:xyz", "::", "Upper:1"]) {
      expect(isImageReference(bad)).toBe(false);
    }
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
