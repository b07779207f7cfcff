/** HTTP shape of preview environments: `/api/v1/previews`. */
import {
  AcceptedSchema,
  CreatePreviewBody,
  ListPreviewsQuery,
  PreviewPageSchema,
  PreviewParams,
  PreviewSchema,
  acceptedBody,
} from "../schemas/previews";
import type { PreviewService } from "../services/previews/previewService";
import { authProblems, problemResponse as problem } from "./problems";
import { defineRoute, type AnyRoute } from "./route";

export function previewRoutes(previews: PreviewService): AnyRoute[] {
  return [
    defineRoute({
      method: "post",
      path: "/api/v1/previews",
      operationId: "createOrUpdatePreview",
      summary: "Create or update the preview environment of a pull request",
      tags: ["previews"],
      access: { kind: "token", scope: "previews:write" },
      request: { body: CreatePreviewBody },
      responses: {
        202: { description: "The up operation (an identical request in flight or applied returns that operation)", schema: AcceptedSchema },
        400: problem("Invalid request"),
        ...authProblems,
        413: problem("Body larger than 64 KiB"),
        415: problem("Body is not JSON"),
        429: problem("The preview limit (in all or for the repository) is reached; destroy a preview first"),
      },
      async handle({ body, principal }, res) {
        const accepted = await previews.upsert({ ...body, actor: principal?.name ?? "unknown" });
        res.status(202).json(acceptedBody(accepted));
      },
    }),
    defineRoute({
      method: "get",
      path: "/api/v1/previews",
      operationId: "listPreviews",
      summary: "List preview environments",
      tags: ["previews"],
      access: { kind: "token", scope: "previews:read" },
      request: { query: ListPreviewsQuery },
      responses: {
        200: { description: "A page of previews by PR number; follow `nextCursor` for the rest", schema: PreviewPageSchema },
        400: problem("Invalid query"),
        ...authProblems,
      },
      async handle({ query }, res) {
        const page = await previews.page(query);
        res.json({ previews: page.items, nextCursor: page.nextCursor });
      },
    }),
    defineRoute({
      method: "get",
      path: "/api/v1/previews/:pr",
      operationId: "getPreview",
      summary: "Get the preview environment of a pull request",
      tags: ["previews"],
      access: { kind: "token", scope: "previews:read" },
      request: { params: PreviewParams },
      responses: {
        200: { description: "The preview", schema: PreviewSchema },
        400: problem("Malformed PR number"),
        ...authProblems,
        404: problem("No preview for this PR"),
      },
      async handle({ params }, res) {
        res.json(await previews.get(params.pr));
      },
    }),
    defineRoute({
      method: "delete",
      path: "/api/v1/previews/:pr",
      operationId: "destroyPreview",
      summary: "Destroy the preview environment of a pull request",
      tags: ["previews"],
      access: { kind: "token", scope: "previews:write" },
      request: { params: PreviewParams },
      responses: {
        202: { description: "The destroy operation", schema: AcceptedSchema },
        400: problem("Malformed PR number"),
        ...authProblems,
        404: problem("No preview for this PR"),
      },
      async handle({ params, principal }, res) {
        const accepted = await previews.destroy(params.pr, principal?.name ?? "unknown");
        res.status(202).json(acceptedBody(accepted));
      },
    }),
  ];
}
