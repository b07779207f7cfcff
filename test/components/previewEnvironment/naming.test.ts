import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createdAtProblem, expiresAt, isExpired, ttlProblem } from "../../../components/previewEnvironment/expiry";
import {
  isDnsLabel,
  previewHostname,
  previewNamespaceName,
  previewStackName,
  slugify,
} from "../../../components/previewEnvironment/naming";

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Branch names as people write them: unicode, slashes, emoji, very long, empty. */
const branch = fc.oneof(
  fc.string({ maxLength: 300, unit: "grapheme" }),
  fc.string({ maxLength: 300, unit: "binary" }),
  fc.array(fc.constantFrom("feature", "fix", "Ünïcödé", "🚀", "JIRA-123", "--", "..", "/", "_", " "), { maxLength: 40 }).map(
    (parts) => parts.join("/"),
  ),
);
const pr = fc.integer({ min: 1, max: 999_999_999 });
const suffix = fc.stringMatching(/^[a-z0-9]{6}$/);

describe("previewNamespaceName", () => {
  it("is a valid DNS label for any branch name", () => {
    fc.assert(
      fc.property(pr, branch, suffix, (number, name, random) => {
        const namespace = previewNamespaceName(number, name, random);

        expect(namespace.length).toBeLessThanOrEqual(63);
        expect(namespace).toMatch(dnsLabel);
      }),
      { numRuns: 500 },
    );
  });

  it("differs between pull requests, whatever their branches and suffixes", () => {
    fc.assert(
      fc.property(pr, pr, branch, branch, suffix, suffix, (first, second, firstBranch, secondBranch, a, b) => {
        fc.pre(first !== second);

        expect(previewNamespaceName(first, firstBranch, a)).not.toBe(previewNamespaceName(second, secondBranch, b));
      }),
      { numRuns: 500 },
    );
  });

  it("is the same every time for the same pull request, branch and suffix", () => {
    fc.assert(
      fc.property(pr, branch, suffix, (number, name, random) => {
        expect(previewNamespaceName(number, name, random)).toBe(previewNamespaceName(number, name, random));
      }),
    );
  });

  it("starts with the PR number and ends with the suffix", () => {
    fc.assert(
      fc.property(pr, branch, suffix, (number, name, random) => {
        const namespace = previewNamespaceName(number, name, random);

        expect(namespace.startsWith(`pr-${number}-`)).toBe(true);
        expect(namespace.endsWith(`-${random}`)).toBe(true);
      }),
    );
  });

  it("keeps a readable slug of the branch", () => {
    expect(previewNamespaceName(42, "feature/Add-Cart_v2", "x1y2z3")).toBe("pr-42-feature-add-cart-v2-x1y2z3");
  });

  it("folds accents and drops what cannot be spelled", () => {
    expect(previewNamespaceName(7, "fix/Crème brûlée 🚀", "abc123")).toBe("pr-7-fix-creme-brulee-abc123");
  });

  it("drops the slug of a branch with no usable character", () => {
    expect(previewNamespaceName(7, "🚀🚀/__", "abc123")).toBe("pr-7-abc123");
  });

  it("shortens a 200-character branch to fit 63 characters", () => {
    const namespace = previewNamespaceName(123456, `feature/${"a-".repeat(100)}`, "abc123");

    expect(namespace).toBe(`pr-123456-feature-${"a-".repeat(18)}a-abc123`);
    expect(namespace.length).toBeLessThanOrEqual(63);
  });

  it("rejects PR numbers that are not positive integers", () => {
    for (const bad of [0, -1, 1.5, Number.NaN, 1e12]) {
      expect(() => previewNamespaceName(bad, "main", "abc123")).toThrow("`pr` must be a pull request number");
    }
  });

  it("rejects a suffix that is not short lower-case alphanumerics", () => {
    expect(() => previewNamespaceName(1, "main", "ABC")).toThrow("`suffix`");
  });
});

describe("slugify", () => {
  it("gives a DNS-label fragment or nothing, for any text and length", () => {
    fc.assert(
      fc.property(branch, fc.integer({ min: 0, max: 63 }), (text, maxLength) => {
        const slug = slugify(text, maxLength);

        expect(slug.length).toBeLessThanOrEqual(maxLength);
        expect(slug === "" || isDnsLabel(slug)).toBe(true);
      }),
    );
  });

  it("leaves a slug unchanged", () => {
    fc.assert(
      fc.property(branch, (text) => {
        expect(slugify(slugify(text))).toBe(slugify(text));
      }),
    );
  });
});

describe("previewHostname", () => {
  it("is pr-<n>.<previewDomain>", () => {
    expect(previewHostname(42, "preview.rollgate.dev")).toBe("pr-42.preview.rollgate.dev");
  });

  it("ignores stray dots and capitals in the domain", () => {
    expect(previewHostname(42, ".Preview.Rollgate.dev.")).toBe("pr-42.preview.rollgate.dev");
  });
});

describe("previewStackName", () => {
  it("is preview-pr-<n>", () => {
    expect(previewStackName(42)).toBe("preview-pr-42");
  });
});

describe("expiresAt", () => {
  it("is createdAt plus the TTL, in UTC", () => {
    expect(expiresAt("2025-03-01T10:00:00+02:00", 72)).toBe("2025-03-04T08:00:00.000Z");
  });

  it("is always later than createdAt by exactly the TTL", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true }),
        fc.integer({ min: 1, max: 24 * 90 }),
        (created, ttl) => {
          const expiry = Date.parse(expiresAt(created.toISOString(), ttl));

          expect(expiry - created.getTime()).toBe(ttl * 3_600_000);
        },
      ),
    );
  });

  it("tells whether a preview has expired", () => {
    expect(isExpired("2025-03-01T00:00:00Z", 24, new Date("2025-03-02T00:00:00Z"))).toBe(true);
    expect(isExpired("2025-03-01T00:00:00Z", 24, new Date("2025-03-01T23:59:59Z"))).toBe(false);
  });

  it("rejects a createdAt that is not an ISO-8601 instant, naming it", () => {
    expect(() => expiresAt("yesterday", 24)).toThrow("`createdAt` must be an ISO-8601 instant");
    expect(createdAtProblem("2025-03-01")).toBeDefined();
  });

  it("rejects a TTL that is not a whole number of hours up to 90 days, naming it", () => {
    expect(() => expiresAt("2025-03-01T00:00:00Z", 0)).toThrow("`ttlHours` must be an integer from 1 to 2160 hours");
    expect(ttlProblem(1.5)).toBeDefined();
  });
});
