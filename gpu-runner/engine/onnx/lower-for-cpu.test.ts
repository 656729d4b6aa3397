import { describe, expect, it } from "vitest";
import { gradients } from "../autodiff/gradients.ts";
import { Graph } from "../graph/graph.ts";
import { f32, i64 } from "../graph/host-tensor.ts";
import { mul } from "../ops/mul.ts";
import { reduceSum } from "../ops/reduce-sum.ts";
import { softmaxCrossEntropy } from "../ops/softmax-cross-entropy.ts";
import { EngineSession } from "../runtime/ort-runtime.ts";
import { encodeModel } from "./encode-model.ts";
import { lowerForCpu } from "./lower-for-cpu.ts";

describe("lowerForCpu", () => {
  it("replaces the fused cross-entropy by a last-axis LogSoftmax and a gather: same loss, log-probabilities and gradient", async () => {
    const g = new Graph("sce");
    const x = g.input("x", "float32", ["N", 5]);
    const t = g.input("t", "int64", ["N"]);
    const { loss, logProb } = softmaxCrossEntropy(x, t); // ignore_index −100
    g.output(loss, "loss");
    g.output(logProb, "logp");
    // rows weighted, so a wrong per-row value shows in the gradient
    g.output(gradients(reduceSum(mul(loss, g.floats([4], [1, 2, 3, 4]))), [x])[0], "dx");
    const nodes = lowerForCpu(g);
    expect(nodes.some((n) => n.opType === "SoftmaxCrossEntropyLoss")).toBe(false);
    const logSoftmax = nodes.filter((n) => n.opType === "LogSoftmax");
    expect(logSoftmax.map((n) => n.inputs[0]!.rank)).toEqual([2]); // over [N, C], class axis last

    const feeds = {
      x: f32([4, 5], [1, 2, 3, 4, 5, 300, -200, 100, 0, 299.5, 0.1, 0.2, 0.3, 0.4, 0.5, -1, -2, -3, -4, -5]),
      t: i64([4], [4, 0, -100, 2]),
    };
    const run = async (bytes: Uint8Array) => {
      const s = await EngineSession.create(bytes, { intraOpThreads: 1 });
      const out = await s.run(feeds);
      await s.release();
      return out;
    };
    const original = await run(encodeModel(g));
    const lowered = await run(encodeModel(g, { nodes }));
    // bit-equal values (the same kernel math); the fused op's ignored rows are −0, the gather's +0
    const plain = (t: { data: unknown }) => Array.from(t.data as Float32Array, (v) => v + 0);
    for (const name of ["loss", "logp", "dx"]) expect(plain(lowered[name]), name).toEqual(plain(original[name]));
    expect((lowered.loss.data as Float32Array)[2]).toBe(0); // the ignored row
  });
});
