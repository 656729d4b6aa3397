import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { add, encodeModel, EngineSession, f32, Graph, matmul } from "../../gpu-runner/engine/index.ts";
import { lastRunBreakdown, takeProfile } from "../../bench/ort-profile.ts";

const dir = await mkdtemp(join(tmpdir(), "guardtune-profile-test-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("onnxruntime profile breakdown", () => {
  it("sums the last run's kernels by op type, category and MatMul shape, and takes the file away", async () => {
    const g = new Graph("profiled");
    const y = add(matmul(g.input("x", "float32", [4, 8]), g.input("w", "float32", [8, 16])), 1); // [4, 16]
    g.output(y, "y");
    const prefix = join(dir, "run");
    const s = await EngineSession.create(encodeModel(g), {
      intraOpThreads: 1,
      enableProfiling: true,
      profileFilePrefix: prefix,
    });
    const feeds = { x: f32([4, 8], new Float32Array(32).fill(1)), w: f32([8, 16], new Float32Array(128).fill(1)) };
    await s.run(feeds);
    await s.run(feeds);
    await s.release(); // ORT writes the profile when the session ends
    const [events] = await takeProfile(prefix);
    expect(await readdir(dir)).toEqual([]);
    const b = lastRunBreakdown(events, { hidden: 16, ffn: 99, vocab: 98, headDim: 97, qkv: [], seqLen: 96 });
    // only the last run's two kernels
    expect(b.byOpType.map((r) => [r.key, r.kernels]).sort()).toEqual([
      ["Add", 1],
      ["MatMul", 1],
    ]);
    expect(b.kernelMs).toBeLessThanOrEqual(b.runMs);
    expect(b.byCategory.map((r) => r.key).sort()).toEqual([
      "hidden-wide (RMSNorm, residual, LoRA sums): compute forward",
      "matmul forward",
    ]);
    expect(b.matmulShapes).toHaveLength(1);
    expect(b.matmulShapes[0].key).toBe("MatMul [4,8]·[8,16]");
    // 2·4·8·16 FLOPs over the kernel's time
    expect(b.matmulShapes[0].gflops).toBeCloseTo((2 * 4 * 8 * 16) / (b.matmulShapes[0].ms * 1e6), 6);
  });

  it("counts a MatMul whose constant weight ORT prepacked (and so does not list as an input)", async () => {
    const g = new Graph("prepacked");
    const w = g.initializer("w", f32([8, 16], new Float32Array(128).fill(0.5)));
    g.output(matmul(g.input("x", "float32", [4, 8]), w), "y");
    const prefix = join(dir, "packed");
    const s = await EngineSession.create(encodeModel(g), { enableProfiling: true, profileFilePrefix: prefix });
    await s.run({ x: f32([4, 8], new Float32Array(32).fill(1)) });
    await s.release();
    const [events] = await takeProfile(prefix);
    const [mm] = lastRunBreakdown(events).matmulShapes;
    expect(mm.key).toBe("MatMul [4,8]");
    expect(mm.gflops).toBeCloseTo((2 * 4 * 8 * 16) / (mm.ms * 1e6), 6);
  });
});
