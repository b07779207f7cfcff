import { describe, expect, it } from "vitest";
import { copyPaths, execForm, isIgnored, parseStages } from "../support/dockerfile";

describe("the Dockerfile parser", () => {
  it("joins continuation lines, drops comments and reads flags, stages and exec forms", () => {
    const text = [
      "# syntax=docker/dockerfile:1",
      "FROM --platform=$BUILDPLATFORM golang:1 AS engine",
      "RUN --mount=type=cache,target=/go \\",
      "    # a comment inside",
      "    go build",
      "FROM node:22",
      "COPY --from=engine /bin/ /usr/local/bin/",
      'ENTRYPOINT ["node", "x.js"]',
    ].join("\n");

    const [engine, runtime] = parseStages(text);

    expect(engine).toMatchObject({ image: "golang:1", name: "engine", from: { flags: { platform: "$BUILDPLATFORM" }, line: 2 } });
    expect(engine?.instructions[0]).toMatchObject({ keyword: "RUN", flags: { mount: "type=cache,target=/go" }, args: "go build", line: 3 });
    expect(runtime?.name).toBeUndefined();
    const [copy, entrypoint] = runtime?.instructions ?? [];
    expect(copy && copyPaths(copy)).toEqual({ sources: ["/bin/"], destination: "/usr/local/bin/" });
    expect(entrypoint && execForm(entrypoint)).toEqual(["node", "x.js"]);
  });

  it("refuses a shell-form entry point", () => {
    const [stage] = parseStages("FROM node:22\nENTRYPOINT node x.js\n");

    expect(() => execForm(stage?.instructions[0] as never)).toThrow(/exec form/);
  });
});

describe("the .dockerignore matcher", () => {
  const patterns = "*\n!src/\n!scripts/build.ts\nsrc/**/*.log\n";

  it("lets through what a later ! pattern re-includes, with everything under it", () => {
    expect(isIgnored("src", patterns)).toBe(false);
    expect(isIgnored("src/a/b.ts", patterns)).toBe(false);
    expect(isIgnored("scripts/build.ts", patterns)).toBe(false);
  });

  it("excludes what the last matching pattern excludes, by the path or a parent", () => {
    expect(isIgnored("scripts/test.sh", patterns)).toBe(true);
    expect(isIgnored("node_modules/x/index.js", patterns)).toBe(true);
    expect(isIgnored("src/a/b/c.log", patterns)).toBe(true);
  });
});
