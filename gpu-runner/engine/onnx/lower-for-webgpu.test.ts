import { describe, expect, it } from "vitest";
import { gradients } from "../autodiff/gradients.ts";
import { Graph } from "../graph/graph.ts";
import { f32 } from "../graph/host-tensor.ts";
import { gatherElements } from "../ops/gather-elements.ts";
import { logSoftmax } from "../ops/log-softmax.ts";
import { reduceSum } from "../ops/reduce-sum.ts";
import { EngineSession } from "../runtime/ort-runtime.ts";
import { encodeModel } from "./encode-model.ts";
import { lowerForWebGpu } from "./lower-for-webgpu.ts";
import { i64 } from "../graph/host-tensor.ts";
import { cast } from "../ops/cast.ts";
import { mul } from "../ops/mul.ts";
import { softmaxCrossEntropy } from "../ops/softmax-cross-entropy.ts";
import type { HostTensor } from "../graph/host-tensor.ts";

/** Cross-entropy-like graph: log-softmax, a gathered target, and its gradient (which scatters into zeros). */
function build(): Graph {
  const g = new Graph("ce");
  const x = g.input("x", "float32", ["N", 5]);
  const t = g.input("t", "int64", ["N", 1]);
  const logp = logSoftmax(x, -1);
  const loss = reduceSum(gatherElements(logp, t, -1));
  g.output(logp, "logp");
  g.output(gradients(loss, [x])[0], "dx");
  return g;
}

/** Runs the graph as written and as lowered on the CPU EP (which has every op); both outputs by name. */
async function runBoth(g: Graph, feeds: Record<string, HostTensor>) {
  const run = async (bytes: Uint8Array) => {
    const s = await EngineSession.create(bytes, { intraOpThreads: 1 });
    const out = await s.run(feeds);
    await s.release();
    return out;
  };
  return { original: await run(encodeModel(g)), lowered: await run(encodeModel(g, { nodes: lowerForWebGpu(g) })) };
}

describe("lowerForWebGpu", () => {
  it("replaces LogSoftmax and float ConstantOfShape with ops the WebGPU EP has, computing the same values", async () => {
    const g = build();
    const lowered = lowerForWebGpu(g);
    const ops = new Set(lowered.map((n) => n.opType));
    expect(g.nodes.some((n) => n.opType === "LogSoftmax")).toBe(true);
    expect(g.nodes.some((n) => n.opType === "ConstantOfShape")).toBe(true);
    expect(ops.has("LogSoftmax")).toBe(false);
    expect(ops.has("ConstantOfShape")).toBe(false);
    expect(ops.has("ReduceLogSumExp")).toBe(true);
    expect(ops.has("Expand")).toBe(true);

    // Both forms on the CPU EP (which has every op): large logits check the max-subtraction.
    const feeds = {
      x: f32([2, 5], [1, 2, 3, 4, 5, 300, -200, 100, 0, 299.5]),
      t: i64([2, 1], [4, 0]),
    };
    const run = async (bytes: Uint8Array) => {
      const s = await EngineSession.create(bytes, { intraOpThreads: 1 });
      const out = await s.run(feeds);
      await s.release();
      return out;
    };
    const original = await run(encodeModel(g));
    const rewritten = await run(encodeModel(g, { nodes: lowered }));
    for (const name of ["logp", "dx"]) {
      const a = original[name].data as Float32Array;
      const b = rewritten[name].data as Float32Array;
      expect(b.every(Number.isFinite), name).toBe(true);
      for (let i = 0; i < a.length; i++)
        expect(Math.abs(a[i] - b[i]), `${name}[${i}]`).toBeLessThan(1e-6 + 1e-6 * Math.abs(a[i])); // float32 rounding
    }
  });

  it("replaces the fused cross-entropy and int64→float casts, same loss, log-probabilities and gradient", async () => {
    const g = new Graph("sce");
    const x = g.input("x", "float32", ["N", 5]);
    const t = g.input("t", "int64", ["N"]);
    const { loss, logProb } = softmaxCrossEntropy(x, t); // ignore_index −100
    // the rows weighted by their label cast to float, so a wrong per-row value or cast shows
    const weights = cast(t, "float32"); // [N]
    const total = reduceSum(mul(loss, weights));
    g.output(loss, "loss");
    g.output(logProb, "logp");
    g.output(weights, "w");
    g.output(gradients(total, [x])[0], "dx");
    const ops = lowerForWebGpu(g);
    expect(ops.some((n) => n.opType === "SoftmaxCrossEntropyLoss")).toBe(false);
    const casts = ops.filter((n) => n.opType === "Cast");
    expect(casts.every((n) => n.inputs[0]!.dtype !== "int64" || n.outputs[0].dtype === "int32")).toBe(true);

    const feeds = {
      x: f32([4, 5], [1, 2, 3, 4, 5, 300, -200, 100, 0, 299.5, 0.1, 0.2, 0.3, 0.4, 0.5, -1, -2, -3, -4, -5]),
      t: i64([4], [4, 0, -100, 2]),
    };
    const { original, lowered } = await runBoth(g, feeds);
    for (const name of ["loss", "logp", "w", "dx"]) {
      const a = original[name].data as Float32Array;
      const b = lowered[name].data as Float32Array;
      expect(b.every(Number.isFinite), name).toBe(true);
      for (let i = 0; i < a.length; i++)
        expect(Math.abs(a[i] - b[i]), `${name}[${i}]`).toBeLessThan(1e-6 + 1e-6 * Math.abs(a[i])); // float32 rounding
    }
    expect((lowered.loss.data as Float32Array)[2]).toBe(0); // the ignored row
    expect([...(lowered.w.data as Float32Array)]).toEqual([4, 0, -100, 2]);
  });
});
