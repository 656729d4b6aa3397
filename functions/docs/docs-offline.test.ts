import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HAS_CHROMIUM, openBrowser, type BrowserSession } from "../../test/helpers/chromium.ts";
import { createTestApp, type TestApp } from "../../test/helpers/test-app.ts";

describe("API reference at /docs", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  }, 120_000);
  afterAll(() => t?.close());

  it("loads its script from the app, never from a CDN", async () => {
    const page = await (await t.app.request("/docs")).text();
    const scripts = [...page.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts).toHaveLength(1);
    expect(scripts[0]).toMatch(/^\/docs\/assets\/scalar-\d+\.\d+\.\d+\/standalone\.js$/);
    expect(page).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
    const script = await t.app.request(scripts[0]);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect((await script.arrayBuffer()).byteLength).toBeGreaterThan(1_000_000);
    expect((await t.app.request("/docs/assets/scalar-0.0.1/standalone.js")).status).toBe(404);
  });

  describe.skipIf(!HAS_CHROMIUM)("in headless Chromium with no outbound network", () => {
    let browser: BrowserSession;
    beforeAll(async () => {
      browser = await openBrowser(t);
    }, 120_000);
    afterAll(() => browser?.close());

    it("renders the job endpoints from the spec", async () => {
      const page = await browser.newPage();
      await page.goto(`${browser.baseUrl}/docs`, { waitUntil: "load" });
      // The sidebar is built from /openapi.json; opening the Jobs group lists its operations.
      await page.waitForSelector("text=Open Group - Jobs", { state: "attached", timeout: 90_000 });
      await page.click("text=Open Group - Jobs", { force: true });
      await page.waitForSelector("text=Create a fine-tuning job");
      const text = await page.locator("body").innerText();
      for (const operation of [
        "Create a fine-tuning job",
        "Retrieve a job",
        "Cancel a job",
        "List or stream a job's events",
      ])
        expect(text).toContain(operation);
      expect(browser.outbound).toEqual([]);
      expect(browser.problems).toEqual([]);
      await page.close();
    }, 150_000);
  });
});
