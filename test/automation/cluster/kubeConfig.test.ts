import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadKubeConnection } from "../../../automation/cluster/kubeConfig";

const base64 = (text: string) => Buffer.from(text).toString("base64");

describe("loadKubeConnection", () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "rg-kubeconfig-"));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function write(name: string, body: string): string {
    const file = join(dir, name);
    writeFileSync(file, body);
    return file;
  }

  const single = (user: string) => `
apiVersion: v1
kind: Config
current-context: local
clusters:
  - name: local
    cluster: { server: "https://127.0.0.1:6443", certificate-authority-data: ${base64("CA PEM")} }
contexts:
  - name: local
    context: { cluster: local, user: admin }
users:
  - name: admin
    user: ${user}
`;

  it("resolves the current context's server, CA and static token", () => {
    const connection = loadKubeConnection({ KUBECONFIG: write("config", single("{ token: abc }")) });

    expect(connection.server).toBe("https://127.0.0.1:6443");
    expect(connection.ca?.toString()).toBe("CA PEM");
    expect(connection.insecureSkipTlsVerify).toBe(false);
    expect(connection.token?.()).toBe("abc");
  });

  it("reads client certificate files and token files relative to the kubeconfig, re-reading the token each time", () => {
    mkdirSync(join(dir, "pki"));
    write("pki/client.crt", "CERT PEM");
    write("pki/client.key", "KEY PEM");
    write("token", "first\n");
    const connection = loadKubeConnection({
      KUBECONFIG: write("config", single("{ client-certificate: pki/client.crt, client-key: pki/client.key, tokenFile: token }")),
    });

    expect(connection.clientCertificate?.toString()).toBe("CERT PEM");
    expect(connection.clientKey?.toString()).toBe("KEY PEM");
    expect(connection.token?.()).toBe("first");
    write("token", "rotated\n");
    expect(connection.token?.()).toBe("rotated");
  });

  it("keeps an exec credential plugin for the client to run", () => {
    const connection = loadKubeConnection({
      KUBECONFIG: write("config", single("{ exec: { apiVersion: client.authentication.k8s.io/v1, command: aws, args: [eks, get-token], env: [{ name: A, value: b }] } }")),
    });

    expect(connection.exec).toEqual({ apiVersion: "client.authentication.k8s.io/v1", command: "aws", args: ["eks", "get-token"], env: [{ name: "A", value: "b" }] });
    expect(connection.token).toBeUndefined();
  });

  it("merges the KUBECONFIG list: current-context from the first file that sets it, each name from the first file defining it", () => {
    const contexts = write(
      "contexts",
      "current-context: second\ncontexts:\n  - { name: second, context: { cluster: remote, user: robot } }\nusers:\n  - { name: robot, user: { token: from-first } }\n",
    );
    const clusters = write(
      "clusters",
      "current-context: ignored\nclusters:\n  - { name: remote, cluster: { server: 'https://remote:443', insecure-skip-tls-verify: true } }\nusers:\n  - { name: robot, user: { token: from-second } }\n",
    );

    const connection = loadKubeConnection({ KUBECONFIG: `${contexts}:${clusters}` });

    expect(connection.server).toBe("https://remote:443");
    expect(connection.insecureSkipTlsVerify).toBe(true);
    expect(connection.token?.()).toBe("from-first");
  });

  it("names what is missing: the context, the cluster or the user", () => {
    expect(() => loadKubeConnection({ KUBECONFIG: write("a", "current-context: nowhere\n") })).toThrow("kubeconfig context `nowhere` is not defined");
    expect(() => loadKubeConnection({ KUBECONFIG: write("b", "contexts: []\n") })).toThrow(/sets no current-context/);
    expect(() =>
      loadKubeConnection({ KUBECONFIG: write("c", "current-context: x\ncontexts:\n  - { name: x, context: { cluster: gone } }\n") }),
    ).toThrow("kubeconfig cluster `gone` (context `x`) is not defined");
    expect(() =>
      loadKubeConnection({
        KUBECONFIG: write(
          "d",
          "current-context: x\ncontexts:\n  - { name: x, context: { cluster: c, user: nobody } }\nclusters:\n  - { name: c, cluster: { server: 'https://c' } }\n",
        ),
      }),
    ).toThrow("kubeconfig user `nobody` (context `x`) is not defined");
  });

  it("rejects a malformed file naming the field", () => {
    expect(() => loadKubeConnection({ KUBECONFIG: write("bad", "clusters:\n  - name: c\n    cluster: { server: 42 }\n") })).toThrow(
      /kubeconfig .*bad is invalid at clusters\.0\.cluster\.server/,
    );
  });

  it("falls back to ~/.kube/config, and says how to configure a cluster when there is none", () => {
    mkdirSync(join(dir, ".kube"));
    writeFileSync(join(dir, ".kube", "config"), single("{ token: home }"));
    expect(loadKubeConnection({ HOME: dir }).token?.()).toBe("home");

    const empty = mkdtempSync(join(tmpdir(), "rg-home-"));
    try {
      expect(() => loadKubeConnection({ HOME: empty })).toThrow("no Kubernetes configuration: set KUBECONFIG, create ~/.kube/config, or run in a pod");
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
