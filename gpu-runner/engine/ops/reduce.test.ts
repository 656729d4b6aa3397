import { describe, expect, it } from "vitest";
import {
  encodeModel,
  EngineSession,
  f64,
  gradients,
  Graph,
  logSoftmax,
  mul,
  reduceMax,
  reduceMean,
  reduceSum,
  softmax,
} from "../index.ts";
import { checkGradients, randomF64 } from "../testing/grad-check.ts";

const x = (dims: number[], seed = 1) => randomF64(dims, seed);

describe("reduction and softmax gradients (float64)", () => {
  for (const [name, fn] of Object.entries({ reduceSum, reduceMean, reduceMax })) {
    it(`${name} over axis 1, keepdims and not, symbolic batch`, async () => {
      await checkGradients({
        inputs: [{ name: "x", feed: x([2, 3, 2]), shape: ["B", 3, 2] }],
        build: ([t]) => fn(t, [1]),
      });
      await checkGradients({
        inputs: [{ name: "x", feed: x([2, 3, 2]), shape: ["B", 3, 2] }],
        build: ([t]) => fn(t, [-1, 0], true),
      });
    });
    it(`${name} over all axes`, async () => {
      await checkGradients({ inputs: [{ name: "x", feed: x([2, 3]) }], build: ([t]) => fn(t) });
    });
  }

  it("reduceMean over a symbolic axis counts at run time", async () => {
    await checkGradients({
      inputs: [{ name: "x", feed: x([4, 3]), shape: ["N", 3] }],
      build: ([t]) => reduceMean(t, [0]),
    });
  });

  it("reduceMax splits the gradient among ties (as torch.amax)", async () => {
    const g = new Graph();
    const t = g.input("x", "float64", [4]);
    g.output(gradients(reduceMax(t), [t])[0], "dx");
    const s = await EngineSession.create(encodeModel(g), { intraOpThreads: 1 });
    const { dx } = await s.run({ x: f64([4], [0.5, 2, 2, -1]) });
    expect(Array.from(dx.data as Float64Array)).toEqual([0, 0.5, 0.5, 0]);
  });

  for (const [name, fn] of Object.entries({ softmax, logSoftmax })) {
    it(`${name} on the last and a middle axis`, async () => {
      await checkGradients({
        inputs: [{ name: "x", feed: x([2, 3, 4]), shape: ["B", "T", 4] }],
        build: ([t]) => fn(t),
      });
      await checkGradients({ inputs: [{ name: "x", feed: x([2, 3, 4]) }], build: ([t]) => fn(mul(t, 3), 1) });
    });
  }

  it("counts every element it checks", async () => {
    const r = await checkGradients({ inputs: [{ name: "x", feed: x([3, 5]) }], build: ([t]) => reduceSum(t, [1]) });
    expect(r.checked).toBe(15);
  });
});
