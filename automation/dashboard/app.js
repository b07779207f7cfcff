// Rollgate dashboard: reads the JSON API with a token kept in sessionStorage; offers a release's commands where the
// token may send them (the API's `actions`), each after a confirmation.
// No framework, no build step; every value goes into the page as text, never as HTML.
"use strict";

(function () {
  const TOKEN_KEY = "rollgate.token";
  const REFRESH_MS = 5000;
  const FINISHED = ["succeeded", "rolledBack", "failed", "aborted"];
  const $ = (id) => document.getElementById(id);
  let timer;
  let scrolledToRelease = false;

  // ---------------------------------------------------------------- helpers

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (value === undefined || value === null) continue;
      if (key === "class") node.className = value;
      else node.setAttribute(key, String(value));
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function svg(tag, attributes, ...children) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, String(value));
    for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    return node;
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "–";
    const s = Math.abs(seconds);
    if (s < 60) return `${Math.round(s)}s`;
    if (s < 3600) return `${Math.round(s / 60)}m`;
    if (s < 172800) return `${(s / 3600).toFixed(1)}h`;
    return `${(s / 86400).toFixed(1)}d`;
  }

  function since(iso) {
    return iso ? duration((Date.now() - Date.parse(iso)) / 1000) : "–";
  }

  function until(iso) {
    if (!iso) return "–";
    const seconds = (Date.parse(iso) - Date.now()) / 1000;
    return seconds >= 0 ? `in ${duration(seconds)}` : `${duration(seconds)} ago`;
  }

  function time(iso) {
    return iso ? new Date(iso).toLocaleString() : "–";
  }

  function number(value) {
    if (value === null || value === undefined) return "–";
    return Math.abs(value) >= 100 ? String(Math.round(value)) : String(Number(value.toPrecision(3)));
  }

  function setStatus(text, error) {
    const status = $("status");
    status.textContent = text;
    status.className = error ? "error" : "";
  }

  async function api(path, method, payload) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    const headers = { authorization: `Bearer ${token}`, accept: "application/json" };
    if (payload !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(path, { method: method || "GET", headers, body: payload === undefined ? undefined : JSON.stringify(payload) });
    const body = await response.json().catch(() => undefined);
    if (!response.ok) {
      const detail = body && body.detail ? body.detail : `HTTP ${response.status}`;
      throw new Error(`${path.split("?")[0]}: ${detail}`);
    }
    return body;
  }

  function fill(tbody, rows, columns, empty) {
    tbody.replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { class: "empty", colspan: columns }, empty))]));
  }

  // ---------------------------------------------------------------- DORA

  const figures = [
    ["deploymentFrequency", "Deployment frequency", (f) => `${number(f.value)}/day`, (f) => `${number(f.perWeek)}/week, ${f.samples} deployment(s)`],
    ["leadTimeForChanges", "Lead time for changes", (f) => duration(f.value), (f) => `median of ${f.samples}${f.withoutCommitTime ? `, ${f.withoutCommitTime} without commit time` : ""}`],
    ["changeFailureRate", "Change failure rate", (f) => (f.value === null ? "–" : `${number(f.value * 100)}%`), (f) => `${f.failed} of ${f.finished} finished`],
    ["timeToRestore", "Time to restore", (f) => duration(f.value), (f) => `median of ${f.samples}${f.unrestored ? `, ${f.unrestored} not restored` : ""}`],
  ];

  function renderDora(dora) {
    $("dora-scope").textContent = `${dora.environment}, last ${dora.window}`;
    $("dora").replaceChildren(
      ...figures.map(([key, title, value, detail]) => {
        const figure = dora[key];
        return el(
          "div",
          { class: "tile", "data-testid": `dora-${key}` },
          el("h3", {}, title),
          el("div", { class: "value" }, value(figure), " ", el("span", { class: `band band-${figure.band || "none"}` }, figure.band || "no data")),
          el("div", { class: "samples" }, detail(figure)),
        );
      }),
    );
    $("dora-note").textContent = `Bands: ${dora.thresholds.source}.`;
  }

  // ---------------------------------------------------------------- previews

  function renderPreviews(previews) {
    const rows = previews.map((preview) => {
      const last = preview.lastOperation;
      return el(
        "tr",
        { "data-testid": `preview-${preview.pr}` },
        el("td", {}, `#${preview.pr}`),
        el("td", { class: `status status-${preview.status}` }, preview.status),
        el("td", {}, preview.url ? el("a", { href: preview.url, rel: "noreferrer" }, preview.url) : "–"),
        el("td", {}, preview.image || "–"),
        el("td", {}, since(preview.createdAt)),
        el("td", { title: preview.expiresAt || "" }, until(preview.expiresAt)),
        el("td", {}, last ? `${last.kind} ${last.status}${last.actor ? ` by ${last.actor}` : ""}${last.error ? `: ${last.error}` : ""}` : "–"),
      );
    });
    fill($("previews"), rows, 7, "no preview environments");
  }

  // ---------------------------------------------------------------- releases

  /** Weight over time from the audit trail (environment updates and release events of this release). */
  function weightPoints(release, records) {
    const points = records
      .filter((record) => record.subject.releaseId === release.id && record.subject.weight !== null)
      .map((record) => ({ at: Date.parse(record.at), weight: record.subject.weight }))
      .sort((a, b) => a.at - b.at);
    return [{ at: Date.parse(release.startedAt), weight: 0 }, ...points];
  }

  function weightChart(release, records) {
    const points = weightPoints(release, records);
    const width = 480;
    const height = 120;
    const pad = 24;
    const start = points[0].at;
    const end = Math.max(release.finishedAt ? Date.parse(release.finishedAt) : Date.now(), points[points.length - 1].at, start + 1000);
    const x = (at) => pad + ((at - start) / (end - start)) * (width - 2 * pad);
    const y = (weight) => height - pad / 2 - (weight / 100) * (height - pad);
    // A step line: each weight holds until the next change.
    const coordinates = [];
    points.forEach((point, index) => {
      if (index > 0) coordinates.push(`${x(point.at).toFixed(1)},${y(points[index - 1].weight).toFixed(1)}`);
      coordinates.push(`${x(point.at).toFixed(1)},${y(point.weight).toFixed(1)}`);
    });
    coordinates.push(`${x(end).toFixed(1)},${y(points[points.length - 1].weight).toFixed(1)}`);
    const grid = [0, 50, 100].flatMap((weight) => [
      svg("line", { x1: pad, x2: width - pad, y1: y(weight), y2: y(weight) }),
      svg("text", { x: 2, y: y(weight) + 3 }, `${weight}%`),
    ]);
    const dots = points.slice(1).map((point) => svg("circle", { cx: x(point.at), cy: y(point.weight), r: 2.5 }, svg("title", {}, `${point.weight}% at ${time(new Date(point.at).toISOString())}`)));
    return svg(
      "svg",
      { class: "weights", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `canary weight over time of release ${release.id}` },
      ...grid,
      svg("polyline", { points: coordinates.join(" ") }),
      ...dots,
    );
  }

  /** The risk level, why, and the reasons that added points or forced `high`. */
  function riskLine(release) {
    if (!release.risk) return null;
    const { level, score, plan, reasons } = release.risk;
    const counted = reasons.filter((reason) => reason.points > 0 || reason.forcesHigh);
    return el(
      "div",
      { class: "risk", "data-testid": "risk" },
      el("span", { class: `risk-level risk-${level}` }, `${level} risk`),
      ` score ${score}; ${plan.why}`,
      counted.length ? el("ul", {}, counted.map((reason) => el("li", {}, `${reason.signal}: ${reason.detail}${reason.forcesHigh ? " (forces high)" : ` (+${reason.points})`}`))) : null,
    );
  }

  function approvalLine(release, approval, label, testId) {
    if (!approval) return null;
    const text = approval.decision
      ? `${approval.decision} by ${approval.decidedBy} at ${time(approval.decidedAt)}`
      : `waiting for a second person's approval (scope approve:${release.environment}; not ${release.actor}) until ${time(approval.expiresAt)}`;
    return el("p", { class: "approval", "data-testid": testId }, `${label}: ${text}`);
  }

  // What each command does, for the confirmation; the buttons are the ones the API says this token may use now.
  const COMMAND_EFFECTS = {
    approve: "let it run (or, waiting to promote, promote it)",
    reject: "end it aborted (rolled back first when its canary is live)",
    pause: "hold it before its next weight raise",
    resume: "let it continue",
    promote: "skip its remaining steps and promote the canary",
    abort: "send all traffic back to stable and remove the canary",
  };

  function actionButtons(release) {
    const actions = release.actions || [];
    if (actions.length === 0) return null;
    return el(
      "div",
      { class: "actions" },
      actions.map((command) => {
        const button = el("button", { type: "button", class: `action action-${command}`, "data-testid": `action-${command}` }, command);
        button.addEventListener("click", () => sendCommand(release, command, button));
        return button;
      }),
    );
  }

  async function sendCommand(release, command, button) {
    const question = `${command} release ${release.id} in ${release.environment}? This will ${COMMAND_EFFECTS[command]}.`;
    if (!window.confirm(question)) return;
    button.disabled = true;
    try {
      const after = await api(`/api/v1/releases/${encodeURIComponent(release.id)}/${command}`, "POST", { reason: `${command} from the dashboard` });
      setStatus(`${command}: release ${release.id} is ${after.status}`, false);
    } catch (error) {
      setStatus(`${command} refused: ${error.message}`, true);
    }
    schedule();
  }

  function supplyChainLine(release) {
    const verdict = release.supplyChain;
    if (!verdict) return null;
    const parts = verdict.unsignedAllowed
      ? [verdict.digest, "unsigned, allowed by the trust policy"]
      : [verdict.digest, verdict.signer && `signed by ${verdict.signer}`, verdict.sbomDigest && `SBOM ${verdict.sbomDigest}`, verdict.builder && `built by ${verdict.builder}`];
    return el("p", { class: "supply-chain", "data-testid": "supply-chain" }, `Supply chain: ${parts.filter(Boolean).join(", ")}`);
  }

  function stepChips(release) {
    return el(
      "div",
      { class: "steps" },
      release.steps.map((step, index) => {
        const state = index < release.step ? "passed" : index === release.step && !FINISHED.includes(release.status) ? "current" : "pending";
        return el("span", { class: `step step-${state}`, title: state }, `step ${index + 1}: ${stepText(step)}`);
      }),
    );
  }

  /** A weight step is its weight; mirror and header steps keep the weight before them. */
  function stepText(step) {
    if (step.mirror !== undefined) return `mirror ${step.mirror}%`;
    if (step.header !== undefined) return `header ${step.header.name}: ${step.header.value}`;
    return `${step.weight}%`;
  }

  function measurements(release) {
    if (release.analysis.length === 0) return el("p", { class: "note" }, "no analysis measurements");
    return el(
      "table",
      {},
      el("thead", {}, el("tr", {}, el("th", {}, "Step"), el("th", {}, "Metric"), el("th", {}, "Value"), el("th", {}, "Threshold"), el("th", {}, "Result"), el("th", {}, "Detail"))),
      el(
        "tbody",
        {},
        release.analysis.slice(-12).map((record) =>
          el(
            "tr",
            { "data-testid": "measurement" },
            el("td", {}, record.step + 1),
            el("td", {}, record.metric),
            el("td", {}, number(record.value)),
            el("td", {}, number(record.threshold)),
            el("td", { class: `phase-${record.phase}` }, record.phase),
            el("td", {}, record.detail),
          ),
        ),
      ),
    );
  }

  function renderReleases(releases, records) {
    const cards = releases.map((release) =>
      el(
        "article",
        { class: "release", id: `release-${release.id}`, "data-testid": `release-${release.id}` },
        el("h3", {}, `${release.environment}: `, el("span", { class: `status status-${release.status}` }, release.status), ` — ${release.image}`),
        el("div", { class: "meta" }, `release ${release.id} by ${release.actor}, started ${time(release.startedAt)}${release.finishedAt ? `, finished ${time(release.finishedAt)}` : ""}; stable ${release.previousImage}; weight ${release.weight}%`),
        riskLine(release),
        approvalLine(release, release.approval, "Approval", "approval"),
        approvalLine(release, release.promotionApproval, "Promotion approval", "promotion-approval"),
        supplyChainLine(release),
        actionButtons(release),
        stepChips(release),
        weightChart(release, records),
        release.reason ? el("p", { class: "reason" }, `Outcome: ${release.reason}`) : null,
        measurements(release),
      ),
    );
    $("releases").replaceChildren(...(cards.length ? cards : [el("p", { class: "note" }, "no releases")]));
    // A link the CLI prints (`/#release-<id>`) scrolls to its card once the card is there.
    const card = window.location.hash.startsWith("#release-") ? $(decodeURIComponent(window.location.hash.slice(1))) : null;
    if (card && !scrolledToRelease) {
      card.scrollIntoView();
      scrolledToRelease = true;
    }
  }

  // ---------------------------------------------------------------- events

  function subjectOf(record) {
    const s = record.subject;
    const parts = [];
    if (s.pr !== null) parts.push(`PR #${s.pr}`);
    if (s.image) parts.push(s.image);
    if (s.weight !== null) parts.push(`weight ${s.weight}%`);
    if (s.commitSha) parts.push(s.commitSha.slice(0, 7));
    if (s.releaseId) parts.push(`release ${s.releaseId.slice(0, 8)}`);
    return parts.join(", ");
  }

  function renderEvents(records) {
    const rows = records.slice(0, 30).map((record) => {
      const why = record.cause.kind + (record.cause.detail ? `: ${record.cause.detail}` : "") + (record.measurement ? ` (${record.measurement.metric} ${record.measurement.phase}: ${record.measurement.detail})` : "");
      return el(
        "tr",
        { "data-testid": "event" },
        el("td", { title: record.at }, time(record.at)),
        el("td", {}, record.action),
        el("td", {}, record.subject.environment),
        el("td", {}, subjectOf(record)),
        el("td", {}, record.actor),
        el("td", {}, why),
        el("td", { class: `status status-${record.result}` }, record.result, record.detail && record.result === "failed" ? `: ${record.detail}` : ""),
        el("td", {}, record.durationMs === null ? "–" : duration(record.durationMs / 1000)),
      );
    });
    fill($("events"), rows, 8, "no events yet");
  }

  // ---------------------------------------------------------------- refresh

  // Every item of a paged list: the API's largest pages, following `nextCursor`.
  async function allPages(path, key) {
    const items = [];
    let cursor = null;
    do {
      const separator = path.includes("?") ? "&" : "?";
      const page = await api(`${path}${separator}limit=500${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`);
      items.push(...page[key]);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return items;
  }

  // Every active release, however old, and the four newest finished ones.
  async function releasesWithDetails() {
    const [awaiting, progressing, paused, recent] = await Promise.all([
      allPages("/api/v1/releases?status=awaitingApproval", "releases"),
      allPages("/api/v1/releases?status=progressing", "releases"),
      allPages("/api/v1/releases?status=paused", "releases"),
      api("/api/v1/releases?limit=50"),
    ]);
    const active = awaiting.concat(progressing, paused).sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
    const shown = active.concat(recent.releases.filter((r) => FINISHED.includes(r.status)).slice(0, 4));
    return Promise.all(shown.map((summary) => api(`/api/v1/releases/${encodeURIComponent(summary.id)}`)));
  }

  async function refresh() {
    if (!sessionStorage.getItem(TOKEN_KEY)) {
      setStatus("Paste a token to load the dashboard.", false);
      return;
    }
    const environment = $("environment").value || "production";
    const span = $("window").value;
    const [previews, releases, audit, dora] = await Promise.allSettled([
      allPages("/api/v1/previews", "previews"),
      releasesWithDetails(),
      api("/api/v1/audit?limit=200"),
      api(`/api/v1/dora?environment=${encodeURIComponent(environment)}&window=${encodeURIComponent(span)}`),
    ]);
    const records = audit.status === "fulfilled" ? audit.value.records : [];
    if (previews.status === "fulfilled") renderPreviews(previews.value);
    if (releases.status === "fulfilled") renderReleases(releases.value, records);
    if (audit.status === "fulfilled") renderEvents(records);
    if (dora.status === "fulfilled") renderDora(dora.value);
    const errors = [previews, releases, audit, dora].filter((result) => result.status === "rejected").map((result) => result.reason.message);
    if (errors.length) setStatus(`Some data could not be loaded: ${errors.join("; ")}`, true);
    else setStatus(`Updated ${new Date().toLocaleTimeString()}`, false);
    document.body.dataset.loaded = "true";
  }

  function schedule() {
    clearTimeout(timer);
    refresh()
      .catch((error) => setStatus(error.message, true))
      .finally(() => {
        timer = setTimeout(schedule, REFRESH_MS);
      });
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("token-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const token = $("token").value.trim();
      $("token").value = "";
      if (token) sessionStorage.setItem(TOKEN_KEY, token);
      schedule();
    });
    $("forget").addEventListener("click", () => {
      sessionStorage.removeItem(TOKEN_KEY);
      window.location.reload();
    });
    $("env-form").addEventListener("change", schedule);
    $("env-form").addEventListener("submit", (event) => {
      event.preventDefault();
      schedule();
    });
    schedule();
  });
})();
