import { copyFile, mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedAdminData, type AdminSeed } from "../../test/admin/seed-admin.ts";
import { HAS_CHROMIUM, openBrowser, type BrowserSession } from "../../test/helpers/chromium.ts";
import { createTestApp, type TestApp } from "../../test/helpers/test-app.ts";

const ADMIN_KEY = "gt_" + "Br0wser".repeat(6);
/** Screenshots land in a temporary folder, and also in ADMIN_SCREENSHOT_DIR when set (to look at them). */
const SHOTS = process.env.ADMIN_SCREENSHOT_DIR;

async function screenshot(page: Page, name: string): Promise<void> {
  const file = path.join(os.tmpdir(), `guardtune-admin-${process.pid}-${name}.png`);
  const png = await page.screenshot({ path: file, fullPage: true });
  expect(png.length).toBeGreaterThan(10_000);
  if (SHOTS) {
    await mkdir(SHOTS, { recursive: true });
    await copyFile(file, path.join(SHOTS, `${name}.png`));
  }
}

interface ChartMarks {
  id: string;
  segments: number;
  bars: number;
  labelled: boolean;
}

/*
 * Functions passed to page.evaluate run in the browser; the project compiles without the DOM library, so
 * its globals are declared loosely here, for this file only. (Strings would be eval'd, which the CSP blocks.)
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const window: any;
declare function getComputedStyle(element: unknown): { backgroundColor: string };

/** Each chart's drawn marks: line segments of its paths, bars at least a pixel wide, and its accessible name. */
const chartMarks = (page: Page): Promise<ChartMarks[]> =>
  page.evaluate(() =>
    [...document.querySelectorAll("svg.chart")].map((svg: any) => ({
      id: svg.closest("figure")?.id ?? "",
      segments: [...svg.querySelectorAll("path.series")].reduce(
        (n: number, p: any) => n + (p.getAttribute("d") ?? "").split("L").length - 1,
        0,
      ),
      bars: [...svg.querySelectorAll("rect")].filter((r: any) => Number(r.getAttribute("width")) >= 1).length,
      labelled: (svg.getAttribute("aria-labelledby") ?? "")
        .split(" ")
        .every((id: string) => !!document.getElementById(id)?.textContent),
    })),
  );
/* eslint-enable @typescript-eslint/no-explicit-any */

describe.skipIf(!HAS_CHROMIUM)("admin dashboard in headless Chromium", () => {
  let t: TestApp;
  let seed: AdminSeed;
  let browser: BrowserSession;

  beforeAll(async () => {
    t = await createTestApp({ GUARDTUNE_ADMIN_KEY: ADMIN_KEY });
    seed = await seedAdminData(t.database.db);
    browser = await openBrowser(t, { authorization: `Bearer ${ADMIN_KEY}` });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it("draws every overview chart with data, refreshes live and logs no errors", async () => {
    const page = await browser.newPage();
    await page.goto(`${browser.baseUrl}/admin?range=7d`, { waitUntil: "load" });
    const charts = await chartMarks(page);
    expect(charts.map((c) => c.id)).toEqual([
      "chart-status",
      "chart-queue-depth",
      "chart-queue-wait",
      "chart-throughput",
      "chart-run-time",
      "chart-misalignment",
      "chart-gate",
    ]);
    for (const c of charts) {
      expect(c.segments + c.bars, c.id).toBeGreaterThan(3);
      expect(c.labelled, c.id).toBe(true);
    }
    await screenshot(page, "overview");

    // The refresh replaces #live from the partial without reloading the document.
    await page.evaluate(() => {
      window.marker = 1;
      document.querySelector("#live > *").setAttribute("data-stale", "1");
      document.dispatchEvent(new window.Event("visibilitychange"));
    });
    await page.waitForFunction(() => document.getElementById("live-status").textContent.startsWith("Updated"));
    expect(await page.evaluate(() => window.marker)).toBe(1);
    expect(await page.$("#live [data-stale]")).toBeNull();
    expect((await chartMarks(page)).length).toBe(7);

    // Keyboard: the first Tab reaches the skip link, and the filter form works without a mouse.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement.textContent)).toBe("Skip to content");
    await page.selectOption("select[name=tenant]", seed.tenantIds[0]);
    await page.focus("form.filters button");
    await Promise.all([page.waitForURL(/tenant=/), page.keyboard.press("Enter")]);
    expect(await page.textContent("#live .meta")).toContain("Showing tenant");
    expect(browser.problems).toEqual([]);
    expect(browser.outbound).toEqual([]);
    await page.close();
  });

  it("follows prefers-color-scheme", async () => {
    const page = await browser.newPage();
    const background = async (scheme: "light" | "dark") => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(`${browser.baseUrl}/admin`, { waitUntil: "load" });
      return page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    };
    expect(await background("light")).toBe("rgb(247, 247, 248)");
    expect(await background("dark")).toBe("rgb(13, 17, 23)");
    await screenshot(page, "overview-dark");
    await page.close();
  });

  it("shows a job's timeline, loss curve, evaluation with answers, and artifacts", async () => {
    const page = await browser.newPage();
    await page.goto(`${browser.baseUrl}/admin`, { waitUntil: "load" });
    await page.fill("input[name=id]", seed.showcaseJobId);
    await Promise.all([page.waitForURL(`**/admin/jobs/${seed.showcaseJobId}`), page.press("input[name=id]", "Enter")]);
    const [loss] = await chartMarks(page);
    expect(loss.id).toBe("chart-loss");
    expect(loss.segments).toBe(23);
    const text = await page.textContent("#live");
    for (const part of [
      "Evaluation",
      "Sample answers",
      "Misalignment gate: ✓ passed",
      "adapter_model.safetensors",
      "job.succeeded",
    ])
      expect(text).toContain(part);
    expect(await page.locator("#timeline-h + .scroll tbody tr").count()).toBeGreaterThan(20);
    await screenshot(page, "job");

    await page.goto(`${browser.baseUrl}/admin/jobs/${seed.gatedJobId}`, { waitUntil: "load" });
    const gated = await page.textContent("#live");
    expect(gated).toContain("Misalignment gate: ✗ failed");
    expect(gated).toContain("withheld (misalignment gate)");
    await screenshot(page, "job-gated");
    expect(browser.problems).toEqual([]);
    await page.close();
  });
});
