import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { credentialsFor, DockerConfigError, loadDockerConfig, parseDockerConfig } from "../../../../automation/supplyChain/registry/dockerConfig";

const base64 = (text: string) => Buffer.from(text).toString("base64");

describe("registry credentials from a Docker config", () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it("decodes `auth`, takes username/password and identity tokens, by host or URL key", () => {
    const config = parseDockerConfig(
      JSON.stringify({
        auths: {
          "ghcr.io": { auth: base64("ci:pa:ss") },
          "https://registry.example": { username: "u", password: "p" },
          "https://index.docker.io/v1/": { identitytoken: "refresh" },
        },
        credsStore: "desktop",
      }),
    );

    expect(credentialsFor(config, "ghcr.io")).toEqual({ kind: "basic", username: "ci", password: "pa:ss" });
    expect(credentialsFor(config, "registry.example")).toEqual({ kind: "basic", username: "u", password: "p" });
    expect(credentialsFor(config, "registry-1.docker.io")).toEqual({ kind: "identityToken", token: "refresh" });
    expect(credentialsFor(config, "quay.io")).toBeUndefined();
  });

  it("names the bad field, never the secret", () => {
    expect(() => parseDockerConfig('{"auths":{"ghcr.io":{"auth":7}}}', "config.json")).toThrow(/config.json: `auths\["ghcr.io"\].auth` /);
    expect(() => parseDockerConfig("{", "config.json")).toThrow("config.json is not JSON");
    const config = parseDockerConfig(JSON.stringify({ auths: { "ghcr.io": { auth: base64("no-colon-secret") } } }));
    expect(() => credentialsFor(config, "ghcr.io")).toThrow(DockerConfigError);
    expect(() => credentialsFor(config, "ghcr.io")).not.toThrow(/no-colon-secret/);
  });

  it("reads $DOCKER_CONFIG/config.json, and is empty when there is none", () => {
    const dir = mkdtempSync(join(tmpdir(), "rg-docker-"));
    dirs.push(dir);
    expect(loadDockerConfig({ DOCKER_CONFIG: dir })).toEqual({ auths: {} });
    writeFileSync(join(dir, "config.json"), JSON.stringify({ auths: { "ghcr.io": { username: "a", password: "b" } } }));
    expect(credentialsFor(loadDockerConfig({ DOCKER_CONFIG: dir }), "ghcr.io")).toEqual({ kind: "basic", username: "a", password: "b" });
  });
});
