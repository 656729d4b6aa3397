import { describe, expect, it } from "vitest";
import {
  cast,
  concat,
  END,
  expand,
  Graph,
  mul,
  pad,
  reshape,
  shapeOf,
  slice,
  split,
  squeeze,
  transpose,
  unsqueeze,
  where,
  greater,
  add,
  gradients,
  reduceSum,
} from "../index.ts";
import { checkGradients, randomF64 } from "../testing/grad-check.ts";
import { ON_WEBGPU } from "../testing/test-ep.ts";

const x = (dims: number[], seed = 1) => randomF64(dims, seed);

describe("shape-op gradients (float64)", () => {
  it("reshape with 0 and −1 on symbolic dims", async () => {
    await checkGradients({
      inputs: [{ name: "x", feed: x([2, 3, 4]), shape: ["B", "T", 4] }],
      build: ([t]) => mul(reshape(t, [0, 0, 2, 2]), 2),
    });
    await checkGradients({
      inputs: [{ name: "x", feed: x([2, 3, 4]), shape: ["B", "T", 4] }],
      build: ([t]) => reshape(t, [-1, 4]),
    });
  });
  it("reshape infers symbolic products", () => {
    const g = new Graph();
    const t = g.input("x", "float32", ["B", "T", 4, 2]);
    expect(reshape(t, [-1, 8]).shape).toEqual(["B*T", 8]);
    expect(reshape(reshape(t, [-1, 8]), shapeOf(t)).shape).toEqual(["B", "T", 4, 2]);
    expect(() => reshape(g.input("y", "float32", [3, 4]), [5, -1])).toThrow(/cannot reshape/);
  });
  it("transpose", async () => {
    await checkGradients({
      inputs: [{ name: "x", feed: x([2, 3, 4]) }],
      build: ([t]) => mul(transpose(t, [2, 0, 1]), x([4, 2, 3], 9).data[0] as number),
    });
  });
  it("slice: static, negative, strided forward; symbolic axis with start ≥ 0 and end < 0", async () => {
    await checkGradients({
      inputs: [{ name: "x", feed: x([4, 5]) }],
      build: ([t]) => slice(t, [1, -3], [3, END], [0, 1]),
    });
    await checkGradients({
      inputs: [{ name: "x", feed: x([2, 5]), shape: ["B", "T"] }],
      build: ([t]) => slice(t, [1], [-1], [1]),
    });
    await checkGradients({
      inputs: [{ name: "x", feed: x([2, 5]), shape: ["B", "T"] }],
      build: ([t]) => slice(t, [2], [END], [1]),
    });
  });
  it("slice gradient on a symbolic axis with a negative start fails, naming the node", () => {
    const g = new Graph();
    const t = g.input("x", "float64", ["B", "T"]);
    const s = slice(t, [-2], [END], [1]);
    expect(s.shape).toEqual(["B", 2]);
    expect(() => gradients(reduceSum(s), [t])).toThrow(/Slice node 'Slice_\d+'.*negative start on a symbolic dim/);
  });
  it("pad", async () => {
    await checkGradients({
      inputs: [{ name: "x", feed: x([2, 3]), shape: ["B", 3] }],
      build: ([t]) => pad(t, [1, 0, 0, 2], 0.5),
    });
  });
  it("concat (static and symbolic sizes) and split", async () => {
    await checkGradients({
      inputs: [
        { name: "a", feed: x([2, 3], 1) },
        { name: "b", feed: x([2, 2], 2) },
      ],
      build: ([a, b]) => concat([a, b, a], 1),
    });
    await checkGradients({
      inputs: [
        { name: "a", feed: x([2, 3], 1), shape: ["B", "S"] },
        { name: "b", feed: x([2, 2], 2), shape: ["B", "U"] },
      ],
      build: ([a, b]) => concat([a, b], 1),
    });
    // Only the first and last pieces are used: the middle one gets a zero gradient.
    await checkGradients({
      inputs: [{ name: "a", feed: x([2, 6]) }],
      build: ([a]) => {
        const [p, , r] = split(a, [2, 1, 3], 1);
        return concat([r, p], 1);
      },
    });
  });
  it("unsqueeze, squeeze, expand", async () => {
    await checkGradients({
      inputs: [{ name: "x", feed: x([2, 3]), shape: ["B", 3] }],
      build: ([t]) => squeeze(unsqueeze(t, [0, -1]), [0]),
    });
    await checkGradients({ inputs: [{ name: "x", feed: x([3, 1]) }], build: ([t]) => expand(t, [2, 3, 4]) });
  });
  it("where routes gradients by condition, with broadcasting", async () => {
    await checkGradients({
      inputs: [
        { name: "a", feed: x([2, 3], 1) },
        { name: "b", feed: x([3], 2) },
      ],
      build: ([a, b]) => where(greater(a, 0), a, b),
    });
  });
  // Float64 is the point of this case and WebGPU has no float64: CPU pass only.
  it.skipIf(ON_WEBGPU)("cast float64 → float32 → float64 passes gradients", async () => {
    await checkGradients({
      inputs: [{ name: "x", feed: x([2, 2]) }],
      build: ([t]) => add(cast(cast(t, "float32"), "float64"), t),
      eps: 1e-2,
      rtol: 1e-4,
      atol: 1e-5,
    });
  });
});
