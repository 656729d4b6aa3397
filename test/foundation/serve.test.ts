import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config/load-config.ts";
import { startStack } from "../../cli/stack.ts";
import { freePort } from "../helpers/free-port.ts";

const BIN = path.resolve(import.meta.dirname, "../../bin/guardtune.mjs");
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "guardtune-serve-"));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe("guardtune serve", () => {
  it("boots the embedded stack with no configuration, answers /readyz, and exits cleanly on SIGTERM", async () => {
    const port = await freePort();
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, "serve"], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PORT: String(port),
        GUARDTUNE_DATA_DIR: dataDir,
        GUARDTUNE_RUNNER: "off",
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const lines = createInterface({ input: child.stdout });
    const seen: string[] = [];
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      for await (const line of lines) {
        seen.push(line);
        if (line.startsWith("API key")) break;
      }
      expect(seen[0]).toBe(`guardtune listening on http://127.0.0.1:${port}`);
      const key = /(gt_[A-Za-z0-9]+)/.exec(seen[1] ?? "")?.[1];
      expect(key).toBeDefined();
      const bootMs = performance.now() - started;
      expect(bootMs).toBeGreaterThan(0);

      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
      const authed = await fetch(`http://127.0.0.1:${port}/v1/nothing`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(authed.status).toBe(404);
      child.kill("SIGTERM");
      expect(await exited, stderr).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("keeps data across restarts and stops every part it started", async () => {
    const config = loadConfig({
      GUARDTUNE_DATA_DIR: dataDir,
      GUARDTUNE_RUNNER: "off",
      LOG_LEVEL: "silent",
      GUARDTUNE_BOOTSTRAP_KEY: "gt_" + "b".repeat(40),
    });
    const before = new Set(process.getActiveResourcesInfo());
    const first = await startStack({ ...config, http: { ...config.http, port: 0 } });
    const res = await fetch(`${first.url}/v1/nothing`, {
      headers: { authorization: `Bearer ${"gt_" + "b".repeat(40)}` },
    });
    expect(res.status).toBe(404);
    const { createApiKey } = await import("../../core/auth/api-keys.ts");
    const made = await createApiKey(first.deps.db, { tenant: "persisted" });
    await first.close();
    await first.close(); // idempotent

    // The same data directory again: the bootstrap key (and the database) survived.
    const second = await startStack({ ...config, http: { ...config.http, port: 0 } });
    const again = await fetch(`${second.url}/readyz`);
    expect(again.status).toBe(200);
    const persisted = await fetch(`${second.url}/v1/nothing`, { headers: { authorization: `Bearer ${made.key}` } });
    expect(persisted.status).toBe(404); // 401 if the key had not survived the restart
    await second.close();

    // Give sockets a tick to finish closing, then nothing the stack opened may remain.
    await new Promise((r) => setTimeout(r, 50));
    const leaked = process.getActiveResourcesInfo().filter((r) => !before.has(r) && r !== "Timeout" && r !== "TTYWrap");
    expect(leaked).toEqual([]);
  });
});
