import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

/** Imports a copy of fixture-paths.ts placed where no ../shared/fixtures exists, with the given CI value. */
function importWithoutFixtures(ci: string | undefined): { ok: boolean; output: string } {
  const root = mkdtempSync(path.join(tmpdir(), "gt-nofixtures-"));
  try {
    const dir = path.join(root, "repo", "gpu-runner", "models", "test-support");
    mkdirSync(dir, { recursive: true });
    const copy = path.join(dir, "fixture-paths.ts");
    copyFileSync(path.join(import.meta.dirname, "fixture-paths.ts"), copy);
    const env = { ...process.env, CI: ci ?? "" };
    try {
      const output = execFileSync(
        process.execPath,
        ["--import", "tsx", "-e", `await import(${JSON.stringify(copy)})`],
        {
          env,
          cwd: path.resolve(import.meta.dirname, "../../.."),
          stdio: "pipe",
        },
      ).toString();
      return { ok: true, output };
    } catch (err) {
      return { ok: false, output: String((err as { stderr?: Buffer }).stderr ?? err) };
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe("golden fixtures", () => {
  it("a missing fixture directory fails in CI instead of skipping", () => {
    const ci = importWithoutFixtures("true");
    expect(ci.ok).toBe(false);
    expect(ci.output).toContain("CI=true");
    expect(importWithoutFixtures(undefined).ok).toBe(true);
  });
});
