/**
 * The dashboard in a real browser (Debian's chromium, driven by
 * playwright-core) against the real service process, engine and cluster:
 * a preview created through the API and a release on an environment stack
 * deployed here, which rolls back by itself (the service has no Prometheus,
 * so its one measurement errors). The page must show the preview, the
 * release with its weight history, measurement and outcome, the pipeline
 * events of the audit trail and the DORA tiles of that environment.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createHash, randomBytes } from "node:crypto";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalStackEngine } from "../../../automation/engine/localStackEngine";
import { program } from "../../../infra/program";
import { eventually, kubeClients, namespaceGone } from "../../support/kube";
import { PreviewBackend, uniquePr } from "../../support/previewStacks";
import { destroyThroughService, newStateDir, repoRoot, RollgateApi, RollgateProcess, type RollgateService } from "../../support/rollgateService";
import { releaseStackConfig } from "../../support/stackConfig";
import { Timings } from "../../support/timing";
import { stateStackConfigStore } from "../../support/database";

const pr = uniquePr(40);
const environment = `dash-${process.pid}`;
const namespace = `rg-dash-${process.pid}`;
const stableImage = "ghcr.io/rollgate/sample-app:1.0.0";
const canaryImage = "ghcr.io/rollgate/sample-app:1.1.0";
const previewImage = `ghcr.io/rollgate/sample-app:dash-${pr}`;
const chromiumPath = process.env.ROLLGATE_CHROMIUM ?? "/usr/bin/chromium";
const screenshot = join(repoRoot, "test-results", "dashboard.png");

/** The environment's stack config: stable only, one replica per track, behind the shared Gateway. */
function environmentConfig() {
  return releaseStackConfig(
    { environment: "staging", app: "sample-app", namespace, stableImage },
    { "rollgate:hostnames": JSON.stringify([`${namespace}.rollgate.localhost`]) },
  );
}

/** Adds a read-only token (what the dashboard needs) to the state directory's tokens file. */
function addReadToken(stateDir: string): string {
  const file = join(stateDir, "tokens.json");
  const token = `rg_e2e_read_${randomBytes(16).toString("hex")}`;
  const entries = JSON.parse(readFileSync(file, "utf8")) as unknown[];
  entries.push({
    name: "dashboard",
    sha256: createHash("sha256").update(token, "utf8").digest("hex"),
    scopes: ["previews:read", "releases:read", "audit:read"],
  });
  writeFileSync(file, JSON.stringify(entries));
  return token;
}

interface ReleaseBody {
  readonly id: string;
  readonly status: string;
  readonly reason: string | null;
  readonly analysis: readonly { metric: string; phase: string }[];
}

describe("the dashboard", () => {
  const kube = kubeClients();
  const backend = new PreviewBackend();
  const timings = new Timings("dashboard");
  const state = newStateDir("rg-e2e-dashboard-", ["*"]);
  const readToken = addReadToken(state.dir);
  let engine: LocalStackEngine;
  let closeConfigStore: (() => Promise<void>) | undefined;
  const api = new RollgateApi(() => service.url, state.token);
  const reader = new RollgateApi(() => service.url, readToken);
  let service: RollgateService;
  let browser: Browser;
  let page: Page;
  let release: ReleaseBody;

  beforeAll(async () => {
    const configs = await stateStackConfigStore(state.dir);
    closeConfigStore = configs.close;
    // The environment's config goes to the service's store, where the service reads it.
    engine = new LocalStackEngine({ program, workspacesDir: join(state.dir, "harness-workspaces"), configStore: configs.store });
    await timings.measure("environment stack up", () => engine.up(environment, environmentConfig()));
    service = await RollgateProcess.start(state.dir, { env: { ROLLGATE_RELEASE_POLL_INTERVAL_SECONDS: "1" } });

    const accepted = await api.createPreview({ pr, image: previewImage, branch: `feature/dash-${pr}`, ttlHours: 24 });
    expect(accepted.status).toBe(202);
    const started = await api.request<ReleaseBody>("POST", "/api/v1/releases", {
      environment,
      image: canaryImage,
      commitSha: "c".repeat(40),
      steps: [{ weight: 50, pauseSeconds: 0 }],
      analysis: { consecutiveErrorLimit: 0, intervalSeconds: 1 },
    });
    expect(started.status).toBe(202);
    const preview = await timings.measure("preview ready", () => api.settled(pr, accepted.body.operation.id));
    expect(preview.body.status).toBe("ready");
    release = await timings.measure("release finished", () => waitForRelease(started.body.id));

    browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox", "--disable-gpu"] });
    page = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
  });

  afterAll(async () => {
    await browser?.close();
    await destroyThroughService(service, api, [pr]);
    await service?.stop();
    await engine?.destroy(environment).catch((error: unknown) => console.error(`[cleanup] destroy ${environment}: ${String(error)}`));
    await closeConfigStore?.();
    const leftovers = await backend.cleanUp([pr], kube);
    backend.dispose();
    state.remove();
    console.info(`[timing] summary\n${timings.summary()}`);
    expect(leftovers).toEqual([]);
    expect(await eventually(() => namespaceGone(kube.core, namespace), 60_000, 500)).toBe(true);
  });

  async function waitForRelease(id: string): Promise<ReleaseBody> {
    const deadline = Date.now() + 300_000;
    for (;;) {
      const { body } = await api.request<ReleaseBody>("GET", `/api/v1/releases/${id}`);
      if (["succeeded", "rolledBack", "failed", "aborted"].includes(body.status)) return body;
      if (Date.now() > deadline) throw new Error(`release ${id} did not finish: ${JSON.stringify(body)}\n${service.describe()}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  it("rolled the release back by itself after its measurement errored", () => {
    expect(release.status).toBe("rolledBack");
    expect(release.analysis.length).toBeGreaterThan(0);
    expect(release.analysis.every((record) => record.phase === "error")).toBe(true);
  });

  it("records the preview and every environment update in the audit trail, readable with the read token", async () => {
    const previews = await reader.request<{ records: { action: string; actor: string; cause: { kind: string }; subject: { pr: number | null } }[] }>(
      "GET",
      "/api/v1/audit?environment=preview&limit=500",
    );
    const updates = await reader.request<{ records: { action: string; subject: { releaseId: string | null; weight: number | null } }[] }>(
      "GET",
      `/api/v1/audit?environment=${environment}`,
    );

    expect(previews.body.records.find((record) => record.subject.pr === pr)).toMatchObject({ action: "preview.up", actor: "e2e", cause: { kind: "api" } });
    const ofRelease = updates.body.records.filter((record) => record.subject.releaseId === release.id).reverse();
    const weights = ofRelease.filter((record) => record.action === "environment.update").map((record) => record.subject.weight);
    expect(weights).toEqual([0, 50, 0, null]);
    expect(ofRelease.filter((record) => record.action.startsWith("release.")).map((record) => record.action)).toEqual([
      "release.started",
      "release.step",
      "release.rolledBack",
    ]);
  });

  it("answers the environment's DORA figures and exports them and the canary weight on /metrics", async () => {
    const dora = await reader.request<{ changeFailureRate: { value: number; band: string }; timeToRestore: { unrestored: number } }>(
      "GET",
      `/api/v1/dora?environment=${environment}&window=1d`,
    );
    const metrics = await (await fetch(`${service.url}/metrics`)).text();

    expect(dora.body).toMatchObject({ changeFailureRate: { value: 1, band: "low" }, timeToRestore: { unrestored: 1 } });
    expect(metrics).toContain(`rollgate_canary_weight{environment="${environment}",app="sample-app",namespace="${namespace}"} 0`);
    expect(metrics).toContain(`rollgate_dora_change_failure_ratio{environment="${environment}",window="30d"} 1`);
    expect(metrics).toContain(`rollgate_releases{environment="${environment}",status="rolledBack"} 1`);
  });

  it("shows the preview, the release, the pipeline events and the DORA tiles once given a read token", async () => {
    await page.goto(`${service.url}/`);
    await page.fill("#token", readToken);
    await page.click("#token-form button[type=submit]");
    await page.fill("#environment", environment);
    await page.selectOption("#window", "7d");

    const previewRow = page.locator(`[data-testid="preview-${pr}"]`);
    await previewRow.waitFor({ timeout: 30_000 });
    expect(await previewRow.innerText()).toContain("ready");
    expect(await previewRow.innerText()).toContain(previewImage);

    const card = page.locator(`[data-testid="release-${release.id}"]`);
    await card.waitFor({ timeout: 30_000 });
    const cardText = await card.innerText();
    expect(cardText).toContain("rolledBack");
    expect(cardText).toContain("step 1: 50%");
    expect(cardText).toContain(`Outcome: ${release.reason ?? ""}`);
    expect(await card.locator('[data-testid="measurement"]').count()).toBe(release.analysis.length);
    expect(await card.locator('[data-testid="measurement"]').first().innerText()).toContain("error");
    expect(await card.locator("svg.weights circle").count()).toBeGreaterThanOrEqual(3);

    await page.locator('[data-testid="dora-changeFailureRate"]', { hasText: "1 of 1 finished" }).waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid="dora-changeFailureRate"]').innerText()).toContain("low");
    expect(await page.locator('[data-testid="dora-timeToRestore"]').innerText()).toContain("1 not restored");

    const events = await page.locator('[data-testid="event"]').allInnerTexts();
    expect(events.some((row) => row.includes("preview.up") && row.includes(`PR #${pr}`))).toBe(true);
    expect(events.some((row) => row.includes("environment.update") && row.includes("weight 50%"))).toBe(true);
    expect(await page.locator("#status").innerText()).toMatch(/^Updated/);

    mkdirSync(join(repoRoot, "test-results"), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
    mkdirSync(join(repoRoot, "docs"), { recursive: true });
    copyFileSync(screenshot, join(repoRoot, "docs", "dashboard.png"));
  });

  it("keeps the token out of the page and the URL", async () => {
    const html = await page.content();

    expect(html).not.toContain(readToken);
    expect(page.url()).not.toContain(readToken);
    expect(await page.inputValue("#token")).toBe("");
  });

  it("offers a release's commands only to a token that may send them (never the starter's own approval), and sends one only once confirmed", async () => {
    // After the rollback above the environment's record makes this release high risk: it waits for a second person.
    const started = await api.request<ReleaseBody>("POST", "/api/v1/releases", {
      environment,
      image: "ghcr.io/rollgate/sample-app:1.2.0",
      steps: [{ weight: 20, pauseSeconds: 600 }],
      analysis: { consecutiveErrorLimit: 0, intervalSeconds: 1 },
    });
    expect(started.status).toBe(202);
    expect(started.body.status).toBe("awaitingApproval");
    const id = started.body.id;
    const card = page.locator(`[data-testid="release-${id}"]`);
    await card.waitFor({ timeout: 30_000 });
    expect(await card.locator("button.action").count()).toBe(0);
    expect((await reader.request<{ actions: string[] }>("GET", `/api/v1/releases/${id}`)).body.actions).toEqual([]);

    // The starter's token holds every scope, yet is offered no approval of its own release.
    await page.click("#forget");
    await page.fill("#token", state.token);
    await page.click("#token-form button[type=submit]");
    const abort = card.locator('[data-testid="action-abort"]');
    await abort.waitFor({ timeout: 30_000 });
    expect(await card.locator("button.action").allInnerTexts()).toEqual(["abort", "reject"]);

    page.once("dialog", (dialog) => void dialog.dismiss());
    await abort.click();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await api.request<ReleaseBody>("GET", `/api/v1/releases/${id}`)).body.status).toBe("awaitingApproval");

    let question = "";
    page.once("dialog", (dialog) => {
      question = dialog.message();
      void dialog.accept();
    });
    await card.locator('[data-testid="action-abort"]').click();
    const aborted = await waitForRelease(id);
    expect(question).toBe(`abort release ${id} in ${environment}? This will send all traffic back to stable and remove the canary.`);
    expect(aborted).toMatchObject({ status: "aborted", reason: "abort from the dashboard" });
    expect(await page.content()).not.toContain(state.token);
  });
});
