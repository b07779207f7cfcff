/**
 * The container image's recipe, checked without building it (these machines
 * have no Docker engine): pinned bases, a compiled entry point run without
 * tsx, production dependencies only, a build context that holds what the
 * recipe copies, and the port, user and writable paths the Deployment
 * (components/rollgateService) gives the pod.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { httpPort } from "../../components/rollgateService/scope";
import { stateDir } from "../../components/rollgateService/workload";
import { runAsUser } from "../../components/webService";
import { copyPaths, execForm, isIgnored, parseStages, type Instruction, type Stage } from "../support/dockerfile";

const root = join(__dirname, "../..");
const stages = parseStages(readFileSync(join(root, "Dockerfile"), "utf8"));
const dockerignore = readFileSync(join(root, ".dockerignore"), "utf8");
const runtime = stages.at(-1) as Stage;

const all = (stage: Stage, keyword: string): Instruction[] => stage.instructions.filter((item) => item.keyword === keyword);
const only = (stage: Stage, keyword: string): Instruction => {
  const found = all(stage, keyword);
  expect(found, `${keyword} in stage ${stage.name ?? stage.image}`).toHaveLength(1);
  return found[0] as Instruction;
};
const envOf = (stage: Stage): Map<string, string> =>
  new Map(all(stage, "ENV").flatMap((item) => [...item.args.matchAll(/(\w+)=(\S+)/g)].map((match) => [match[1] ?? "", match[2] ?? ""] as const)));

/** The folders tsconfig.build.json compiles. */
function buildIncludes(): string[] {
  const { config, error } = ts.readConfigFile(join(root, "tsconfig.build.json"), ts.sys.readFile) as { config?: { include: string[] }; error?: ts.Diagnostic };
  expect(error).toBeUndefined();
  return config?.include ?? [];
}

describe("the Dockerfile", () => {
  it("pins every base image by digest", () => {
    for (const stage of stages) expect(stage.image, `line ${stage.from.line}`).toMatch(/^[\w./:-]+@sha256:[0-9a-f]{64}$/);
  });

  it("runs as the pod's numeric, non-root user", () => {
    const [user, group] = only(runtime, "USER").args.split(":");

    expect(user).toBe(String(runAsUser));
    expect(Number(user)).toBeGreaterThan(0);
    expect(group ?? user).toMatch(/^[1-9][0-9]*$/);
  });

  it("starts the compiled service with node, without tsx or ts-node", () => {
    const command = [...execForm(only(runtime, "ENTRYPOINT")), ...all(runtime, "CMD").flatMap(execForm)];

    expect(command).toEqual(["node", "dist/automation/index.js"]);
    expect(command.join(" ")).not.toMatch(/tsx|ts-node|--import|--loader/);
  });

  it("starts an entry point the build stage compiles, copied into the runtime stage", () => {
    const entry = execForm(only(runtime, "ENTRYPOINT"))[1] ?? "";
    const source = entry.replace(/^dist\//, "").replace(/\.js$/, ".ts");
    const builder = stages.find((stage) => all(stage, "RUN").some((item) => item.args === "npm run build"));
    expect(builder, "a stage runs npm run build").toBeDefined();
    const copies = all(runtime, "COPY").filter((item) => item.flags.from === builder?.name);

    expect(existsSync(join(root, source)), source).toBe(true);
    expect(buildIncludes()).toContain(source.split("/")[0]);
    expect(copies.map(copyPaths)).toEqual([{ sources: [`${only(builder as Stage, "WORKDIR").args}/dist`], destination: "dist/" }]);
  });

  it("installs production dependencies only in the runtime stage, running no install scripts", () => {
    const installs = all(runtime, "RUN").filter((item) => /\bnpm (ci|install)\b/.test(item.args));

    expect(installs).toHaveLength(1);
    expect(installs[0]?.args).toMatch(/\bnpm ci --omit=dev\b.*--ignore-scripts/);
  });

  it("copies from the build context only paths that exist and .dockerignore lets through", () => {
    const sources = stages.flatMap((stage) => all(stage, "COPY").filter((item) => item.flags.from === undefined).flatMap((item) => copyPaths(item).sources));

    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(existsSync(join(root, source)), `${source} exists`).toBe(true);
      expect(isIgnored(source, dockerignore), `${source} is excluded by .dockerignore`).toBe(false);
    }
  });

  it("copies only from stages the Dockerfile defines", () => {
    const names = stages.map((stage) => stage.name);
    for (const stage of stages) for (const item of all(stage, "COPY")) if (item.flags.from) expect(names, `line ${item.line}`).toContain(item.flags.from);
  });

  it("listens on the component's container port, on every interface", () => {
    const env = envOf(runtime);

    expect(only(runtime, "EXPOSE").args).toBe(String(httpPort));
    expect(env.get("ROLLGATE_PORT")).toBe(String(httpPort));
    expect(env.get("ROLLGATE_HOST")).toBe("0.0.0.0");
  });

  it("keeps state, HOME and PULUMI_HOME under the pod's writable state directory", () => {
    const env = envOf(runtime);

    expect(env.get("ROLLGATE_STATE_DIR")).toBe(stateDir);
    expect(env.get("HOME")).toBe(`${stateDir}/home`);
    expect(env.get("PULUMI_HOME")?.startsWith(`${stateDir}/`)).toBe(true);
    expect(env.get("PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION")).toBe("true");
  });

  it("builds the engine's binaries with the toolchain script, not versions of its own", () => {
    const engine = stages.find((stage) => all(stage, "RUN").some((item) => item.args.includes("scripts/toolchain/build.sh")));

    expect(engine, "a stage runs scripts/toolchain/build.sh").toBeDefined();
    expect(all(engine as Stage, "RUN").map((item) => item.args).join(" ")).toContain("scripts/toolchain/build.sh --engine-only");
    expect(readFileSync(join(root, "Dockerfile"), "utf8")).not.toMatch(/PULUMI_(KUBERNETES_|RANDOM_)?VERSION=/);
  });
});

describe(".dockerignore", () => {
  it("keeps dependencies, build output, local state and tests out of the build context", () => {
    for (const path of ["node_modules/x", "dist/automation/index.js", ".rollgate/passphrase", "test/readme.test.ts", ".git/config", "bench/run.sh"]) {
      expect(isIgnored(path, dockerignore), path).toBe(true);
    }
  });
});
