/**
 * The API, the program and the policy pack read image references with one
 * grammar: generated references (valid by construction, broken in one known
 * part, or arbitrary text) get the same verdict everywhere, and the same tag
 * and digest.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseImageReference } from "../../components/image";
import { ConfigError, parseConfig, type RawConfig } from "../../infra/config";
import { zodToJsonSchema } from "../../automation/openapi/zodToJsonSchema";
import { ReleaseValidationError } from "../../automation/release/errors";
import { parseStartReleaseRequest } from "../../automation/release/schemas";
import { ImageReference } from "../../automation/schemas/imageReference";
import { CreatePreviewBody } from "../../automation/schemas/previews";
import { imagePinningProblems } from "../../policies/checks/images";

interface ReferenceParts {
  readonly registry?: string;
  readonly components: readonly string[];
  readonly tag?: string;
  readonly digest?: string;
}

const pathComponent = fc.stringMatching(/^[a-z0-9]{1,6}(?:(?:[._]|__|-{1,3})[a-z0-9]{1,6}){0,2}$/);
// Without a registry, a first component with a dot would be read as one (distribution/reference's rule).
const firstComponentWithoutRegistry = fc.stringMatching(/^[a-z0-9]{1,6}(?:(?:_|__|-{1,3})[a-z0-9]{1,6}){0,2}$/);
const domainComponent = fc.stringMatching(/^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,6}[a-zA-Z0-9])?$/);
const port = fc.integer({ min: 1, max: 65_535 }).map((value) => `:${value}`);
const registry = fc.oneof(
  fc.tuple(domainComponent, fc.array(domainComponent, { minLength: 1, maxLength: 2 }), fc.option(port, { nil: "" })).map(
    ([first, rest, maybePort]) => `${[first, ...rest].join(".")}${maybePort}`,
  ),
  fc.tuple(domainComponent, port).map(([host, hostPort]) => `${host}${hostPort}`),
  fc.constantFrom("localhost", "[::1]:5000", "[fe80::1]"),
);
const tag = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/), fc.constantFrom("latest", "LATEST", "t".repeat(128)));
const digest = fc.stringMatching(/^[a-f0-9]{64}$/).map((hex) => `sha256:${hex}`);

const validParts: fc.Arbitrary<ReferenceParts> = fc
  .record(
    {
      registry,
      components: fc.array(pathComponent, { minLength: 1, maxLength: 4 }),
      tag,
      digest,
    },
    { requiredKeys: ["components"] },
  )
  .chain((parts) =>
    parts.registry !== undefined || parts.components.length === 1
      ? fc.constant(parts)
      : firstComponentWithoutRegistry.map((first) => ({ ...parts, components: [first, ...parts.components.slice(1)] })),
  );

function render(parts: ReferenceParts): string {
  const name = [...(parts.registry === undefined ? [] : [parts.registry]), ...parts.components].join("/");
  return `${name}${parts.tag === undefined ? "" : `:${parts.tag}`}${parts.digest === undefined ? "" : `@${parts.digest}`}`;
}

function withLast<T>(items: readonly T[], change: (item: T) => T): T[] {
  return items.map((item, index) => (index === items.length - 1 ? change(item) : item));
}

/** A valid reference with one part broken. */
const invalidReference = fc.tuple(validParts, fc.nat()).map(([parts, pick]) => {
  const breakages: (() => string)[] = [
    () => render({ ...parts, components: withLast(parts.components, (last) => `${last}A`) }),
    () => render({ ...parts, components: withLast(parts.components, (last) => `-${last}`) }),
    () => render({ ...parts, components: withLast(parts.components, (last) => `${last}.`) }),
    () => render({ ...parts, components: [...parts.components, ""] }),
    () => render({ ...parts, components: withLast(parts.components, (last) => `${last} x`) }),
    () => render({ ...parts, components: withLast(parts.components, (last) => `$(${last})`) }),
    () => render({ ...parts, components: [...parts.components, "a".repeat(256)] }),
    () => render({ ...parts, tag: "" }),
    () => render({ ...parts, tag: `.${parts.tag ?? "v1"}` }),
    () => render({ ...parts, tag: "t".repeat(129) }),
    () => render({ ...parts, tag: `${parts.tag ?? "v1"};rm` }),
    () => render({ ...parts, digest: `${parts.digest ?? "sha256:"}0` }),
    () => render({ ...parts, digest: (parts.digest ?? `sha256:${"a".repeat(64)}`).toUpperCase() }),
    () => render({ ...parts, digest: `sha512:${"a".repeat(128)}` }),
    () => render({ ...parts, digest: "a".repeat(64) }),
    () => render({ ...parts, registry: `${parts.registry ?? "ghcr.io"}:port` }),
    () => ` ${render(parts)}`,
  ];
  return breakages[pick % breakages.length]!();
});

const documentedPattern = new RegExp(
  (zodToJsonSchema(CreatePreviewBody, "input") as { properties: { image: { pattern: string } } }).properties.image.pattern,
);

const previewConfig: RawConfig = {
  environment: "preview",
  app: "shop",
  pr: "42",
  commitSha: "0123456789abcdef0123456789abcdef01234567",
  createdAt: "2025-03-01T12:00:00Z",
  previewDomain: "preview.example.com",
};

function programAccepts(image: string): boolean {
  try {
    parseConfig({ ...previewConfig, image });
    return true;
  } catch (error) {
    if (error instanceof ConfigError) return !error.issues.some((issue) => issue.key === "rollgate:image");
    throw error;
  }
}

function releaseControllerAccepts(image: string): boolean {
  try {
    parseStartReleaseRequest({ environment: "staging", image });
    return true;
  } catch (error) {
    if (error instanceof ReleaseValidationError) return false;
    throw error;
  }
}

const pinningProblems = new Set(imagePinningProblems("nginx", { requireDigest: false }).concat(imagePinningProblems("nginx:latest", { requireDigest: false })));

function policyAccepts(image: string): boolean {
  return imagePinningProblems(image, { requireDigest: false }).every((problem) => pinningProblems.has(problem));
}

/** Every reader's verdict on `image`; stack config values are trimmed by the program, so only untrimmed text is compared there. */
function verdicts(image: string): Record<string, boolean> {
  return {
    api: ImageReference.safeParse(image).success,
    documentedPattern: documentedPattern.test(image),
    releaseController: releaseControllerAccepts(image),
    components: parseImageReference(image) !== undefined,
    ...(image.trim() === image ? { programConfig: programAccepts(image) } : {}),
    policy: policyAccepts(image),
  };
}

function expectAgreement(image: string, expected: boolean): void {
  const all = verdicts(image);
  expect(all, image).toEqual(Object.fromEntries(Object.keys(all).map((reader) => [reader, expected])));
}

function expectedPinningProblems(parts: ReferenceParts): string[] {
  if (parts.digest !== undefined) return [];
  if (parts.tag === undefined) return ["must be pinned to a tag or digest (an untagged image means :latest)"];
  return parts.tag.toLowerCase() === "latest" ? ["must not use the :latest tag"] : [];
}

describe("image references across the API, the program and the policy pack", () => {
  it("are all accepted when built from the grammar, with the tag and digest they were built with", () => {
    fc.assert(
      fc.property(validParts, (parts) => {
        const image = render(parts);

        expectAgreement(image, true);
        expect(parseImageReference(image)).toEqual({
          repository: [...(parts.registry === undefined ? [] : [parts.registry]), ...parts.components].join("/"),
          ...(parts.registry === undefined ? {} : { registry: parts.registry }),
          path: parts.components.join("/"),
          ...(parts.tag === undefined ? {} : { tag: parts.tag }),
          ...(parts.digest === undefined ? {} : { digest: parts.digest }),
        });
        expect(imagePinningProblems(image, { requireDigest: false })).toEqual(expectedPinningProblems(parts));
        expect(ImageReference.parse(image)).toBe(image);
      }),
      { numRuns: 300 },
    );
  });

  it("are all refused when one part breaks the grammar", () => {
    fc.assert(
      fc.property(invalidReference, (image) => expectAgreement(image, false)),
      { numRuns: 300 },
    );
  });

  it("get the same verdict everywhere for arbitrary text", () => {
    const nearlyReference = fc.stringMatching(/^[a-zA-Z0-9:/@._-]{0,40}$/);
    fc.assert(
      fc.property(fc.oneof(fc.string(), nearlyReference), (image) => expectAgreement(image, parseImageReference(image) !== undefined)),
      { numRuns: 300 },
    );
  });
});
