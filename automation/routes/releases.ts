/** HTTP shape of canary releases: `/api/v1/releases`. */
import { ServiceUnavailableError } from "../errors";
import { requirePrincipal } from "../middleware/auth";
import type { ReleaseCommand } from "../release/stateMachine";
import {
  ListReleasesQuery,
  ReleaseCommandBody,
  ReleasePageSchema,
  ReleaseParams,
  ReleaseSchema,
  StartedReleaseSchema,
  StartReleaseBody,
} from "../schemas/releases";
import { authorizeApproval, authorizeRelease, authorizeReleaseRead, permittedCommands, readableEnvironments } from "../services/releases/access";
import type { ReleaseService } from "../services/releases/releaseService";
import { releaseSummary, releaseView, startedRelease } from "../services/releases/views";
import { authProblems, problemResponse as problem } from "./problems";
import { defineRoute, type AnyRoute } from "./route";

const mutateNote = "`releases:<environment>` of the release's environment";
const approveNote = "`approve:<environment>` of the release's environment; the token that started the release cannot approve it (four eyes)";
const decidesApproval = (command: ReleaseCommand): boolean => command === "approve" || command === "reject";
const readNote = "`releases:read`, or `releases:<environment>` of the release's environment";

const commandSummaries: Readonly<Record<ReleaseCommand, string>> = {
  promote: "Promote now: skip the remaining steps; stable takes the canary's image",
  abort: "Abort: traffic back to stable first, then the canary is removed; the release ends `aborted`",
  pause: "Pause before the next weight raise (or promotion)",
  resume: "Resume a paused release (or cancel a pause not reached yet)",
  approve: "Approve a release awaiting approval (high risk), before its first weight or before promotion; not by the token that started it",
  reject: "Reject a release awaiting approval; it ends `aborted` (before its first weight nothing was deployed; before promotion it is rolled back)",
};

/** `releases` is absent when the server has no release controller (no cluster probe). */
export function releaseRoutes(releases: ReleaseService | undefined): AnyRoute[] {
  const service = (): ReleaseService => {
    if (!releases) throw new ServiceUnavailableError("releases are not configured on this server (it has no cluster probe)");
    return releases;
  };
  const unavailable = { 503: problem("Releases are not configured on this server") };

  const commandRoute = (command: ReleaseCommand): AnyRoute =>
    defineRoute({
      method: "post",
      path: `/api/v1/releases/:id/${command}`,
      operationId: `${command}Release`,
      summary: commandSummaries[command],
      tags: ["releases"],
      access: { kind: "token", scopeNote: decidesApproval(command) ? approveNote : mutateNote },
      request: { params: ReleaseParams, body: ReleaseCommandBody },
      responses: {
        202: { description: "Accepted; the controller acts on it in the background. The release as it is now", schema: ReleaseSchema },
        400: problem("Malformed id or body"),
        ...authProblems,
        ...(decidesApproval(command) ? { 403: problem("The token lacks the scope, or started the release (four eyes)") } : {}),
        404: problem("No such release"),
        409: problem(
          decidesApproval(command)
            ? "The release is not awaiting approval"
            : "The release's state does not allow this (finished, awaiting approval, or a rollback or promotion in progress)",
        ),
        415: problem("Body is not JSON"),
        ...unavailable,
      },
      async handle({ params, body }, res, req) {
        const caller = requirePrincipal(req);
        const releases = service();
        const release = await releases.get(params.id);
        if (decidesApproval(command)) authorizeApproval(caller, release.environment);
        else authorizeRelease(caller, release.environment);
        const after = await releases.command(release.id, command, caller.name, body?.reason);
        res.status(202).json(releaseView(after, permittedCommands(caller, after, new Date())));
      },
    });

  return [
    defineRoute({
      method: "post",
      path: "/api/v1/releases",
      operationId: "startRelease",
      summary: "Start a canary release of an image in an environment (one active release per environment)",
      tags: ["releases"],
      access: { kind: "token", scopeNote: "`releases:<environment>` of the body's environment" },
      request: { body: StartReleaseBody },
      responses: {
        202: { description: "Started; it runs in the background (follow it with GET /api/v1/releases/{id})", schema: StartedReleaseSchema },
        400: problem(
          "Invalid request, or the environment has no stable image or already runs this image, or a mirror or header step " +
            "needs a capability the environment's router lacks (the error names the router and the step, e.g. `steps[0].mirror`)",
        ),
        ...authProblems,
        404: problem("The environment has no stack"),
        409: problem("The environment already has an active (awaiting approval, progressing or paused) release"),
        413: problem("Body larger than 64 KiB"),
        422: problem(
          "The supply-chain gate refused the image (the environment has a trust policy): `errors` names each failed check, " +
            "e.g. `signature: no signature by any trusted identity`; nothing was started",
        ),
        415: problem("Body is not JSON"),
        ...unavailable,
      },
      async handle({ body }, res, req) {
        const caller = requirePrincipal(req);
        authorizeRelease(caller, body.environment);
        const release = await service().start(body, caller.name);
        res.status(202).location(`/api/v1/releases/${encodeURIComponent(release.id)}`).json(startedRelease(release));
      },
    }),
    defineRoute({
      method: "get",
      path: "/api/v1/releases",
      operationId: "listReleases",
      summary: "List releases, newest first",
      tags: ["releases"],
      access: {
        kind: "token",
        scopeNote: "`releases:read` for every environment; with only `releases:<environment>` scopes, the releases of those environments",
      },
      request: { query: ListReleasesQuery },
      responses: {
        200: { description: "A page of release summaries, newest first; follow `nextCursor` for older ones", schema: ReleasePageSchema },
        400: problem("Invalid query"),
        ...authProblems,
        ...unavailable,
      },
      async handle({ query }, res, req) {
        const caller = requirePrincipal(req);
        if (query.environment !== undefined) authorizeReleaseRead(caller, query.environment);
        const readable = readableEnvironments(caller);
        const page = await service().page(query, (release) => readable === "all" || readable.has(release.environment));
        res.json({ releases: page.items.map(releaseSummary), nextCursor: page.nextCursor });
      },
    }),
    defineRoute({
      method: "get",
      path: "/api/v1/releases/:id",
      operationId: "getRelease",
      summary: "Get a release: status, step, weight, steps, analysis measurements, times, reason and actor",
      tags: ["releases"],
      access: { kind: "token", scopeNote: readNote },
      request: { params: ReleaseParams },
      responses: {
        200: { description: "The release", schema: ReleaseSchema },
        400: problem("Malformed release id"),
        ...authProblems,
        404: problem("No such release"),
        ...unavailable,
      },
      async handle({ params }, res, req) {
        const release = await service().get(params.id);
        const caller = requirePrincipal(req);
        authorizeReleaseRead(caller, release.environment);
        res.json(releaseView(release, permittedCommands(caller, release, new Date())));
      },
    }),
    commandRoute("promote"),
    commandRoute("abort"),
    commandRoute("pause"),
    commandRoute("resume"),
    commandRoute("approve"),
    commandRoute("reject"),
  ];
}
