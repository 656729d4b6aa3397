/**
 * The machine's raw onnxruntime MatMul rate and memory bandwidth, measured in the calling process so that a
 * model's achieved rate can be read as a ratio of them (MFU) on a shared machine whose speed drifts.
 */
import { EngineSession, f32, Graph, encodeModel, mul } from "../gpu-runner/engine/index.ts";
import { rawMatmul } from "./engine-matmul-graphs.ts";

/**
 * Best-of-`runs` wall time in ms after one warm-up run (which allocates and prepacks). The machine is shared,
 * so the minimum is the stable statistic.
 */
export async function bestOf(runs: number, fn: () => Promise<unknown>): Promise<number> {
  await fn();
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

/** The bench-small projection shapes [M, K, N]: 8×256 tokens through hidden 512 ↔ ffn 1408. */
export const PEAK_SHAPES: readonly (readonly [number, number, number])[] = [
  [8 * 256, 512, 1408],
  [8 * 256, 1408, 512],
];

/**
 * GFLOP/s of a plain MatMul at `shapes`, operands fed per run and the output written into a preallocated
 * buffer: the kernel plus the unavoidable feed overhead, the ceiling a graph of such matmuls can reach.
 */
export async function measureMatmulPeak(threads: number, runs = 20, shapes = PEAK_SHAPES): Promise<number> {
  let flops = 0;
  let ms = 0;
  for (const [m, k, n] of shapes) {
    const r = rawMatmul(m, k, n);
    const s = await EngineSession.create(r.model, { intraOpThreads: threads, graphOptimizationLevel: "all" });
    const into = { y: f32([m, n], new Float32Array(m * n)) };
    ms += await bestOf(runs, () => s.run(r.feeds, ["y"], into));
    flops += r.flops;
    await s.release();
  }
  return flops / ms / 1e6;
}

/**
 * GB/s of a streaming elementwise op (y = x · 2 over 64 MiB, read and written once each, far beyond the
 * caches) on ORT's threads: the bandwidth a weight-streaming decode step is bound by.
 */
export async function measureMemoryBandwidth(threads: number, runs = 10): Promise<number> {
  const n = 16 * 1024 * 1024;
  const g = new Graph("stream");
  g.output(mul(g.input("x", "float32", [n]), 2), "y");
  const s = await EngineSession.create(encodeModel(g), { intraOpThreads: threads, graphOptimizationLevel: "all" });
  const x = f32([n], new Float32Array(n).fill(1));
  const into = { y: f32([n], new Float32Array(n)) };
  const ms = await bestOf(runs, () => s.run({ x }, ["y"], into));
  await s.release();
  return (2 * n * 4) / ms / 1e6;
}
