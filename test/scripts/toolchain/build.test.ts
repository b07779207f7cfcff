/**
 * scripts/toolchain/build.sh with a stand-in `go` that records what it is
 * asked to build: what the user provides (ROLLGATE_USE_PATH_PULUMI=1,
 * ROLLGATE_EXTERNAL_CLUSTER=1), or the image does not need
 * (--engine-only), is not built. Builds run in parallel lanes, so the
 * order of what was built is not asserted.
 */
import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const buildScript = resolve(__dirname, "../../../scripts/toolchain/build.sh");
const run = promisify(execFile);

const fakeGo = `#!/bin/sh
case "$1" in
  version) echo "go version go1.25.0 linux/amd64" ;;
  list) echo "$FAKE_MODULE_DIR" ;;
  build)
    while [ $# -gt 0 ]; do [ "$1" = -o ] && out=$2; shift; done
    if [ "$(basename "$out")" = "$FAKE_GO_FAIL" ]; then echo "compile error in $FAKE_GO_FAIL" >&2; exit 1; fi
    basename "$out" >>"$FAKE_GO_LOG"
    printf '#!/bin/sh\\n' >"$out" && chmod +x "$out" ;;
esac
`;

interface Result {
  readonly code: number;
  readonly stderr: string;
  readonly built: string[];
}

describe("scripts/toolchain/build.sh", () => {
  let dir: string;
  let fakes: string;
  let userPulumi: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "rollgate-build-"));
    fakes = join(dir, "fakes");
    userPulumi = join(dir, "pulumi-install");
    const provider = join(dir, "module", "cmd", "pulumi-resource-kubernetes");
    await Promise.all([mkdir(fakes), mkdir(userPulumi), mkdir(provider, { recursive: true })]);
    await writeFile(join(provider, "schema.json"), "{}");
    await writeFile(join(provider, "terraform-mapping.json"), "{}");
    for (const [path, text] of [
      [join(fakes, "go"), fakeGo],
      [join(userPulumi, "pulumi"), "#!/bin/sh\n"],
      [join(userPulumi, "pulumi-language-nodejs"), "#!/bin/sh\n"],
    ] as const) {
      await writeFile(path, text);
      await chmod(path, 0o755);
    }
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function build(env: Record<string, string>, path: string[] = [fakes], args: string[] = []): Promise<Result> {
    const log = join(dir, "go.log");
    await writeFile(log, "");
    const options = {
      env: {
        PATH: [...path, "/usr/bin", "/bin"].join(":"),
        HOME: dir,
        ROLLGATE_TOOLCHAIN: join(dir, "toolchain"),
        FAKE_GO_LOG: log,
        FAKE_MODULE_DIR: join(dir, "module"),
        ...env,
      },
    };
    let code = 0;
    let stderr: string;
    try {
      ({ stderr } = await run("bash", [buildScript, ...args], options));
    } catch (err) {
      const failed = err as { code: number; stderr: string };
      ({ code, stderr } = failed);
    }
    return { code, stderr, built: (await readFile(log, "utf8")).split("\n").filter(Boolean).sort() };
  }

  it("builds every binary by default", async () => {
    const result = await build({});

    expect(result.code).toBe(0);
    expect(result.built).toEqual(
      [
        "pulumi",
        "pulumi-language-nodejs",
        "pulumi-resource-kubernetes",
        "kube-apiserver",
        "kube-controller-manager",
        "kube-scheduler",
        "kwok",
        "actionlint",
        "oci-registry",
        "pulumi-resource-random",
      ].sort(),
    );
    expect(result.stderr).toMatch(/toolchain ready in \d+s/);
  });

  it("builds nothing again when every binary matches its recipe", async () => {
    await build({});
    const again = await build({});

    expect(again.code).toBe(0);
    expect(again.built).toEqual([]);
    expect(again.stderr).toContain("kube: cached");
  });

  it("fails with the failed build's log when one lane fails, and the other lanes still finish", async () => {
    const result = await build({ FAKE_GO_FAIL: "kube-apiserver" });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain("compile error in kube-apiserver");
    expect(result.stderr).toMatch(/error: building kube failed \(whole log: .*logs\/kube\.log\)/);
    expect(result.stderr).toContain("error: the toolchain is incomplete");
    expect(result.built).toContain("pulumi-resource-kubernetes");
    expect(result.built).toContain("pulumi-resource-random");
    expect(result.built).not.toContain("kwok");
  });

  it("uses the Pulumi CLI and language host on PATH with ROLLGATE_USE_PATH_PULUMI=1", async () => {
    const result = await build({ ROLLGATE_USE_PATH_PULUMI: "1" }, [fakes, userPulumi]);

    expect(result.code).toBe(0);
    expect(result.built).not.toContain("pulumi");
    expect(result.built).not.toContain("pulumi-language-nodejs");
    expect(result.built).toContain("pulumi-resource-kubernetes");
    expect(result.stderr).toContain(`pulumi: ${join(userPulumi, "pulumi")} from PATH (ROLLGATE_USE_PATH_PULUMI=1), not built`);
  });

  it("fails, saying why, with ROLLGATE_USE_PATH_PULUMI=1 and no pulumi on PATH", async () => {
    const result = await build({ ROLLGATE_USE_PATH_PULUMI: "1" });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error: ROLLGATE_USE_PATH_PULUMI=1 but there is no pulumi on PATH");
    expect(result.built).toEqual([]);
  });

  it("builds no local control plane with ROLLGATE_EXTERNAL_CLUSTER=1", async () => {
    const result = await build({ ROLLGATE_EXTERNAL_CLUSTER: "1" });

    expect(result.code).toBe(0);
    expect(result.built).toEqual(["pulumi", "pulumi-language-nodejs", "pulumi-resource-kubernetes", "actionlint", "oci-registry", "pulumi-resource-random"].sort());
    expect(result.stderr).toContain("not built (ROLLGATE_EXTERNAL_CLUSTER=1)");
  });

  it("builds only the engine's binaries (CLI, language host, providers) with --engine-only", async () => {
    const result = await build({}, [fakes], ["--engine-only"]);

    expect(result.code).toBe(0);
    expect(result.built).toEqual(["pulumi", "pulumi-language-nodejs", "pulumi-resource-kubernetes", "pulumi-resource-random"].sort());
    expect(result.stderr).toContain("not built (--engine-only)");
  });
});
