import { describe, expect, it } from "vitest";
import { decidePreview, defaultPreviewTriggerPolicy, type PreviewTriggerPolicy, type PullRequestFacts } from "../../../automation/services/webhooks/previewTrigger";

const facts = (overrides: Partial<PullRequestFacts> = {}): PullRequestFacts => ({
  action: "opened",
  pr: 7,
  repository: "acme/app",
  fromFork: false,
  labels: [],
  ...overrides,
});
const policy = (overrides: Partial<PreviewTriggerPolicy> = {}): PreviewTriggerPolicy => ({ ...defaultPreviewTriggerPolicy, ...overrides });

describe("decidePreview", () => {
  it.each(["opened", "reopened", "synchronize"])("deploys a PR of the repository on %s", (action) => {
    expect(decidePreview(facts({ action }), policy())).toEqual({ kind: "deploy" });
  });

  it("destroys on closed, whoever opened the PR", () => {
    expect(decidePreview(facts({ action: "closed", fromFork: true }), policy({ forks: "skip" }))).toEqual({ kind: "destroy" });
  });

  it("compares the repository without regard to case", () => {
    expect(decidePreview(facts({ repository: "Acme/App" }), policy({ repository: "acme/app" }))).toEqual({ kind: "deploy" });
    expect(decidePreview(facts({ repository: "acme/web" }), policy({ repository: "acme/app" })).kind).toBe("ignore");
  });

  it.each([
    ["label", [], "ignore"],
    ["label", ["preview"], "deploy"],
    ["allow", [], "deploy"],
    ["skip", ["preview"], "ignore"],
  ] as const)("with forks=%s a fork PR labelled %j is: %s", (forks, labels, kind) => {
    expect(decidePreview(facts({ fromFork: true, labels }), policy({ forks })).kind).toBe(kind);
  });

  it("acts on labeled and unlabeled only for its own label", () => {
    const labelOnly = policy({ trigger: "label" });

    expect(decidePreview(facts({ action: "labeled", labels: ["preview"], changedLabel: "preview" }), labelOnly)).toEqual({ kind: "deploy" });
    expect(decidePreview(facts({ action: "labeled", labels: ["preview", "bug"], changedLabel: "bug" }), labelOnly).kind).toBe("ignore");
    expect(decidePreview(facts({ action: "unlabeled", labels: [], changedLabel: "preview" }), labelOnly)).toEqual({ kind: "destroy" });
    expect(decidePreview(facts({ action: "unlabeled", labels: [], changedLabel: "preview" }), policy()).kind).toBe("ignore");
  });

  it("ignores actions that change nothing, saying which", () => {
    expect(decidePreview(facts({ action: "assigned" }), policy())).toEqual({ kind: "ignore", reason: 'pull_request action "assigned" needs no preview change' });
  });
});
