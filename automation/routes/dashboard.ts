/**
 * The dashboard: a static page and its script and style, served as they are
 * (no build step, no external asset). The page reads the JSON API with a
 * token the viewer pastes in; serving it needs none.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { defineRoute, type AnyRoute } from "./route";

export const dashboardDirectory = join(__dirname, "..", "dashboard");

/** Only this origin's script and API; no inline code, no framing. */
export const dashboardSecurityHeaders = {
  "Content-Security-Policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-cache",
} as const;

const assets = [
  { path: "/", file: "index.html", contentType: "text/html; charset=utf-8", operationId: "dashboard", summary: "The dashboard (HTML)" },
  { path: "/dashboard/app.js", file: "app.js", contentType: "text/javascript; charset=utf-8", operationId: "dashboardScript", summary: "The dashboard's script" },
  { path: "/dashboard/style.css", file: "style.css", contentType: "text/css; charset=utf-8", operationId: "dashboardStyle", summary: "The dashboard's style sheet" },
] as const;

export function dashboardRoutes(directory = dashboardDirectory): AnyRoute[] {
  return assets.map((asset) => {
    const body = readFileSync(join(directory, asset.file));
    return defineRoute({
      method: "get",
      path: asset.path,
      operationId: asset.operationId,
      summary: asset.summary,
      tags: ["dashboard"],
      access: { kind: "public" },
      request: {},
      responses: { 200: { description: asset.summary, schema: z.string(), contentType: asset.contentType } },
      handle(_input, res) {
        res.status(200).set({ "Content-Type": asset.contentType, ...dashboardSecurityHeaders }).send(body);
      },
    });
  });
}
