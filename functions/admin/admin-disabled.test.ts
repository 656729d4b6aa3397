import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../test/helpers/test-app.ts";

describe("admin dashboard without GUARDTUNE_ADMIN_KEY", () => {
  let ctx: TestApp;
  beforeAll(async () => {
    ctx = await createTestApp();
  });
  afterAll(() => ctx?.close());

  it.each(["/admin", "/admin/api/overview", "/admin/anything"])(
    "%s is a 404 problem that says how to enable it",
    async (path) => {
      const res = await ctx.app.request(path, { headers: { authorization: `Bearer ${ctx.apiKey}` } });
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(res.headers.get("www-authenticate")).toBeNull();
      const body = (await res.json()) as { code: string; detail: string; status: number };
      expect(body).toMatchObject({ status: 404, code: "admin_disabled" });
      expect(body.detail).toContain("GUARDTUNE_ADMIN_KEY");
    },
  );
});
