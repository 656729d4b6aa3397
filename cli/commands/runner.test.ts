import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const BIN = path.resolve(import.meta.dirname, "../../bin/guardtune.mjs");

/** Runs the CLI in a child process (the Vulkan loader reads VK_DRIVER_FILES once per process). */
function run(argv: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], { env: { ...process.env, ...env }, stdio: "pipe" });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

describe("guardtune runner with GUARDTUNE_EP=webgpu and no Vulkan driver", () => {
  it("fails at start, before connecting anything, naming the driver and the variable to set", async () => {
    const { code, stderr } = await run(["runner"], {
      GUARDTUNE_EP: "webgpu",
      VK_DRIVER_FILES: "/nonexistent/icd.json",
      // unreachable on purpose: the EP check must come first
      DATABASE_URL: "postgres://postgres@127.0.0.1:1/none",
      GUARDTUNE_BUCKET: "bucket",
      GUARDTUNE_JOBS_QUEUE_URL: "http://127.0.0.1:1/queue/jobs",
      GUARDTUNE_UPLOADS_QUEUE_URL: "http://127.0.0.1:1/queue/uploads",
      AWS_REGION: "us-east-1",
    });
    expect(code).toBe(1);
    // (Dawn's and the Vulkan loader's own warnings come before it)
    const message = stderr.split("\n").find((l) => l.startsWith("guardtune: ")) ?? "";
    expect(message).toContain("execution provider 'webgpu' is unavailable");
    expect(message).toContain("VK_DRIVER_FILES");
    expect(message).toContain("lavapipe");
    expect(stderr).not.toContain("ExecutionProviderUnavailableError"); // an operator message, not a stack trace
  });
});
