import { describe, expect, it } from "vitest";
import { AdamW } from "../optim/adamw.ts";
import { clipGradNorm } from "../optim/clip.ts";
import { buildAttentionLm, buildMlp, previousTokenData, xorData, type TinyModel } from "../testing/tiny-models.ts";
import type { HostTensor } from "../graph/host-tensor.ts";
import { StepExecutor } from "./step-executor.ts";
import { ON_WEBGPU, recordDeviation, TEST_EP } from "../testing/test-ep.ts";
import type { ExecutionProvider } from "./ort-runtime.ts";

interface TrainOptions {
  threads?: number;
  reuse?: boolean;
  ep?: ExecutionProvider;
  worker?: boolean;
}

async function train(
  m: TinyModel,
  batch: Record<string, HostTensor>,
  steps: number,
  lr: number,
  { threads = 1, reuse = false, ep = TEST_EP, worker = false }: TrainOptions = {},
): Promise<{ losses: number[]; params: Record<string, Float32Array>; gradBuffers: Set<Float32Array> }> {
  const exec = await StepExecutor.create(
    m.model,
    m.outputs,
    { ep, intraOpThreads: threads, worker },
    { reuseGradBuffers: reuse },
  );
  const gradBuffers = new Set<Float32Array>();
  const params = Object.fromEntries(
    Object.entries(m.params).map(([k, t]) => [k, Float32Array.from(t.data as Float32Array)]),
  );
  const feeds = () => Object.fromEntries(Object.entries(m.params).map(([k, t]) => [k, { ...t, data: params[k] }]));
  const opt = new AdamW({ lr, weightDecay: 0 });
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const r = await exec.step(batch, feeds());
    losses.push(r.loss);
    gradBuffers.add(r.grads.w1 ?? r.grads.embed);
    clipGradNorm(Object.values(r.grads), 1);
    opt.step(params, r.grads);
  }
  await exec.release();
  return { losses, params, gradBuffers };
}

describe(`training on onnxruntime's ${TEST_EP} EP`, () => {
  // Hundreds of steps: minutes on a software Vulkan driver. The WebGPU pass checks the same training against
  // the CPU EP step by step instead (below).
  it.skipIf(ON_WEBGPU)("an MLP learns XOR", async () => {
    const { losses } = await train(buildMlp(1), xorData(2, 64), 150, 0.05);
    expect(losses[0]).toBeGreaterThan(0.5);
    expect(losses.at(-1)!).toBeLessThan(0.05);
  });

  it.skipIf(ON_WEBGPU)("a one-layer GQA attention model learns to repeat the previous token", async () => {
    const dims = { vocab: 8, hidden: 16, heads: 2, kvHeads: 1, ffn: 24 };
    const { losses } = await train(buildAttentionLm(3, dims), previousTokenData(4, 6, 8, dims.vocab), 200, 0.02);
    expect(losses[0]).toBeGreaterThan(1.5);
    expect(losses.at(-1)!).toBeLessThan(0.1);
  });

  it("is deterministic: two runs give bit-identical losses and parameters (2 intra-op threads)", async () => {
    const dims = { vocab: 8, hidden: 16, heads: 2, kvHeads: 1, ffn: 24 };
    const data = previousTokenData(5, 4, 8, dims.vocab);
    const a = await train(buildAttentionLm(6, dims), data, 5, 0.02, { threads: 2 });
    const b = await train(buildAttentionLm(6, dims), data, 5, 0.02, { threads: 2 });
    expect(a.losses).toEqual(b.losses);
    for (const k of Object.keys(a.params))
      expect(Buffer.from(a.params[k].buffer).equals(Buffer.from(b.params[k].buffer))).toBe(true);
  });

  it("can let ORT write gradients into the same buffers every step, with the same results", async () => {
    const data = xorData(7, 16);
    const fresh = await train(buildMlp(8), data, 4, 0.05);
    const reused = await train(buildMlp(8), data, 4, 0.05, { reuse: true });
    expect(reused.losses).toEqual(fresh.losses);
    expect(fresh.gradBuffers.size).toBe(4);
    expect(reused.gradBuffers.size).toBe(1); // later steps write into the first step's buffers
  });

  it.skipIf(ON_WEBGPU)(
    "trains the same with its session on a worker thread: bit-identical losses and parameters, two at once",
    async () => {
      const dims = { vocab: 8, hidden: 16, heads: 2, kvHeads: 1, ffn: 24 };
      const data = previousTokenData(11, 4, 8, dims.vocab);
      const here = await train(buildAttentionLm(12, dims), data, 5, 0.02, { reuse: true });
      // two sessions on two workers at the same time, one writing its gradients into reused buffers
      const [reusing, fresh] = await Promise.all([
        train(buildAttentionLm(12, dims), data, 5, 0.02, { reuse: true, worker: true }),
        train(buildAttentionLm(12, dims), data, 5, 0.02, { worker: true }),
      ]);
      for (const run of [reusing, fresh]) {
        expect(run.losses).toEqual(here.losses);
        for (const k of Object.keys(here.params))
          expect(Buffer.from(run.params[k].buffer).equals(Buffer.from(here.params[k].buffer))).toBe(true);
      }
      expect(reusing.gradBuffers.size).toBe(1);
    },
  );

  it.runIf(ON_WEBGPU)(
    "WebGPU: four AdamW steps of the attention LM match the CPU EP (losses within 1e-5 relative)",
    async () => {
      const dims = { vocab: 8, hidden: 16, heads: 2, kvHeads: 1, ffn: 24 };
      const data = previousTokenData(9, 4, 8, dims.vocab);
      const gpu = await train(buildAttentionLm(10, dims), data, 4, 0.02, { ep: "webgpu" });
      const cpu = await train(buildAttentionLm(10, dims), data, 4, 0.02, { ep: "cpu" });
      const worst = Math.max(...gpu.losses.map((l, i) => Math.abs(l - cpu.losses[i]) / Math.abs(cpu.losses[i])));
      recordDeviation("adamw losses vs cpu", worst, 1e-5);
      expect(worst).toBeLessThan(1e-5);
    },
  );
});
