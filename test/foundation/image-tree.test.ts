/**
 * The container image leaves out bench/ (and tests): `serve` and `runner` must start from such a tree, each
 * command loading only the modules it runs. The tree is the repository's tracked files without bench/ and
 * test files, with node_modules linked in.
 */
import { spawn, execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/free-port.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
let tree: string;

beforeAll(() => {
  tree = mkdtempSync(path.join(tmpdir(), "guardtune-image-tree-"));
  const files = execFileSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" })
    .split("\n")
    .filter((f) => f !== "" && !f.startsWith("bench/") && !f.startsWith("test/") && !f.endsWith(".test.ts"));
  for (const f of files) {
    mkdirSync(path.join(tree, path.dirname(f)), { recursive: true });
    cpSync(path.join(ROOT, f), path.join(tree, f));
  }
  symlinkSync(path.join(ROOT, "node_modules"), path.join(tree, "node_modules"), "dir");
});
afterAll(() => rmSync(tree, { recursive: true, force: true }));

const baseEnv = () => ({ PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: "warn" });

describe("a tree without bench/", () => {
  it("starts serve, which answers and exits cleanly on SIGTERM", async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [path.join(tree, "bin/guardtune.mjs"), "serve"], {
      cwd: tree,
      env: { ...baseEnv(), PORT: String(port), GUARDTUNE_DATA_DIR: path.join(tree, ".data"), GUARDTUNE_RUNNER: "off" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const first = await new Promise<string>((resolve) => {
      const lines = createInterface({ input: child.stdout });
      lines.once("line", resolve);
      void exited.then(() => resolve(`exited: ${stderr}`));
    });
    expect(first).toBe(`guardtune listening on http://127.0.0.1:${port}`);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find module/);
  }, 120_000);

  it("loads the runner command, which stops at its configuration, not at a missing module", async () => {
    const child = spawn(process.execPath, [path.join(tree, "bin/guardtune.mjs"), "runner"], {
      cwd: tree,
      env: { ...baseEnv(), GUARDTUNE_DATA_DIR: path.join(tree, ".data-runner") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    expect(output).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find module/);
    // The runner needs the external database and bucket; without them it says so and exits non-zero.
    expect(code).not.toBe(0);
    expect(output).toMatch(/DATABASE_URL|GUARDTUNE_BUCKET/);
  }, 120_000);
});
