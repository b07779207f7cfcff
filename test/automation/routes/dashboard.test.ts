import { describe, expect, it } from "vitest";
import { createHarness } from "../support/harness";

describe("the dashboard page", () => {
  it("is served at / without a token, with a policy that allows only this origin's script and API", async () => {
    const h = createHarness();

    const response = await h.http.get("/");

    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(response.headers["content-security-policy"]).toContain("script-src 'self'");
    expect(response.headers["content-security-policy"]).toContain("connect-src 'self'");
    expect(response.text).toContain('<script src="/dashboard/app.js" defer></script>');
    expect(response.text).toContain('type="password"');
  });

  it("serves its script and style sheet, and no external asset", async () => {
    const h = createHarness();

    const script = await h.http.get("/dashboard/app.js");
    const style = await h.http.get("/dashboard/style.css");
    const page = await h.http.get("/");

    expect(script.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(style.headers["content-type"]).toBe("text/css; charset=utf-8");
    for (const text of [script.text, style.text, page.text]) expect(text).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(script.text).toContain("sessionStorage");
    expect(script.text).not.toContain("innerHTML");
  });

  it("answers 405 for other methods", async () => {
    const h = createHarness();

    expect((await h.http.post("/")).status).toBe(405);
  });
});
