import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { serve, type ServerType } from "@hono/node-server";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import type { TestApp } from "./test-app.ts";

/** Debian's package (`apt-get install chromium`; .ci/run installs it). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const HAS_CHROMIUM = existsSync(CHROMIUM);

export interface BrowserSession {
  baseUrl: string;
  context: BrowserContext;
  /** Console errors, uncaught page errors and failed requests, as text. */
  problems: string[];
  /** Requests to anywhere but the app, which the session blocks. */
  outbound: string[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/**
 * The app on a real port and a headless Chromium that may reach only it: every other request is aborted
 * and recorded, so a page that needs the internet fails its test.
 */
export async function openBrowser(t: TestApp, headers: Record<string, string> = {}): Promise<BrowserSession> {
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: t.app.fetch, hostname: "127.0.0.1", port: 0 }, () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const profile = await mkdtemp(path.join(os.tmpdir(), "guardtune-chromium-"));
  let context: BrowserContext;
  try {
    // The profile directory is Chromium's --user-data-dir (Playwright passes it for a persistent context).
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      extraHTTPHeaders: headers,
      viewport: { width: 1280, height: 900 },
    });
  } catch (e) {
    server.close();
    await rm(profile, { recursive: true, force: true });
    throw e;
  }
  const problems: string[] = [];
  const outbound: string[] = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(baseUrl) || url.startsWith("data:") || url.startsWith("blob:")) return route.continue();
    outbound.push(url);
    return route.abort("blockedbyclient");
  });
  return {
    baseUrl,
    context,
    problems,
    outbound,
    newPage: async () => {
      const page = await context.newPage();
      page.on("console", (m) => {
        if (m.type() === "error") problems.push(`console: ${m.text()}`);
      });
      page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
      page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ""}`));
      return page;
    },
    close: async () => {
      await context.close();
      if ("closeAllConnections" in server) server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(profile, { recursive: true, force: true });
    },
  };
}
