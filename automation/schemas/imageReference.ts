/** The API's image field: the one grammar (`components/image.ts`) as a zod schema. */
import { z } from "zod";
import { imageReferencePattern, imageReferenceProblem } from "../../components/image";

// The pattern is the whole grammar, so it both decides and documents (it becomes the OpenAPI `pattern`);
// the error map replaces its generic failure with what is wrong with this value.
export const ImageReference = z
  .string({
    errorMap: (issue, ctx) => ({
      message: (issue.code === z.ZodIssueCode.invalid_string && typeof ctx.data === "string" ? imageReferenceProblem(ctx.data) : undefined) ?? ctx.defaultError,
    }),
  })
  .regex(new RegExp(imageReferencePattern))
  .describe("OCI image reference, e.g. ghcr.io/acme/app:pr-12-3f2a…");
