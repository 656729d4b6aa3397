/**
 * The execution provider the engine and model tests run on. `GUARDTUNE_TEST_EP=webgpu` reruns them on ORT's
 * WebGPU EP (in CI: Mesa's lavapipe, a Vulkan driver on the CPU); unset, they run on the CPU EP.
 * Tolerances differ per EP because WebGPU computes in float32 with its own reduction orders and
 * transcendental approximations; each test states both.
 */
import { appendFileSync } from "node:fs";
import { expect } from "vitest";
import type { ExecutionProvider } from "../runtime/ort-runtime.ts";

function testEp(): ExecutionProvider {
  const v = process.env.GUARDTUNE_TEST_EP ?? "cpu";
  if (v !== "cpu" && v !== "webgpu") throw new Error(`GUARDTUNE_TEST_EP must be cpu or webgpu, got '${v}'`);
  return v;
}

export const TEST_EP: ExecutionProvider = testEp();
export const ON_WEBGPU = TEST_EP === "webgpu";

/** The tolerance for the EP the tests run on. */
export const tolerance = (cpu: number, webgpu: number): number => (ON_WEBGPU ? webgpu : cpu);

/**
 * Appends the worst deviation a check saw (relative, as that check defines it) and the tolerance it allowed to
 * the JSON-lines file named by `GUARDTUNE_TEST_EP_LOG`, so a run can report the tolerances actually needed.
 */
export function recordDeviation(check: string, deviation: number, allowed: number): void {
  const file = process.env.GUARDTUNE_TEST_EP_LOG;
  if (!file) return;
  const test = expect.getState().currentTestName ?? "";
  appendFileSync(file, `${JSON.stringify({ ep: TEST_EP, test, check, deviation, allowed })}\n`);
}
