import { describe, expect, it } from "vitest";
import {
  add,
  exp,
  f32,
  f64,
  gradients,
  Graph,
  linear,
  loraLinear,
  matmul,
  mul,
  reduceSum,
  registerOp,
  scatterND,
  stopGradient,
  unsqueeze,
} from "../index.ts";
import { runGraph, values } from "../testing/run-graph.ts";

describe("reverse-mode autodiff", () => {
  it("differentiates only what the requested tensors need: a LoRA step pays nothing for the frozen weight", () => {
    const g = new Graph();
    const x = g.input("x", "float32", ["N", 8]);
    const w = g.initializer("w", f32([6, 8], new Array(48).fill(0.1)));
    const a = g.input("lora_a", "float32", [2, 8]);
    const b = g.input("lora_b", "float32", [6, 2]);
    const loss = reduceSum(loraLinear(x, w, { a, b, scale: 2 }));
    const before = g.nodes.length;
    gradients(loss, [a, b]);
    const gradNodes = g.nodes.slice(before);
    // dB, d(xAᵀ) and dA: three matmuls; none for dW or dx.
    expect(gradNodes.filter((n) => n.opType === "MatMul")).toHaveLength(3);
    expect(gradNodes.every((n) => n.name.startsWith("grad/"))).toBe(true);
  });

  it("accumulates fan-out and respects stopGradient", async () => {
    const g = new Graph();
    const x = g.input("x", "float64", [3]);
    // d/dx Σ x·sg(x) = sg(x) = x ; d/dx Σ (x·x + eˣ) = 2x + eˣ
    const [d1, d2] = [
      gradients(reduceSum(mul(x, stopGradient(x))), [x])[0],
      gradients(reduceSum(add(mul(x, x), exp(x))), [x])[0],
    ];
    g.output(d1, "d1");
    g.output(d2, "d2");
    const xs = [0.5, -1, 2];
    const out = await runGraph(g, { x: f64([3], xs) });
    expect(values(out.d1)).toEqual(xs);
    values(out.d2).forEach((v, i) => expect(v).toBeCloseTo(2 * xs[i] + Math.exp(xs[i]), 14));
  });

  it("gives gradients for several requested tensors in order, and zeros for unused ones on request", async () => {
    const g = new Graph();
    const a = g.input("a", "float64", [2, 2]);
    const b = g.input("b", "float64", [2, 2]);
    const unused = g.input("u", "float64", [2]);
    const [da, db, du] = gradients(reduceSum(matmul(a, b)), [a, b, unused], { allowUnused: true });
    g.output(da, "da");
    g.output(db, "db");
    g.output(du, "du");
    const out = await runGraph(g, { a: f64([2, 2], [1, 2, 3, 4]), b: f64([2, 2], [5, 6, 7, 8]), u: f64([2], [1, 1]) });
    expect(values(out.da)).toEqual([11, 15, 11, 15]); // rows of Bᵀ·1
    expect(values(out.db)).toEqual([4, 4, 6, 6]);
    expect(values(out.du)).toEqual([0, 0]);
    expect(() => gradients(reduceSum(a), [unused])).toThrow(/does not depend on u/);
  });

  it("names the op and tensor when a rule is missing", () => {
    const g = new Graph();
    const x = g.input("x", "float32", [4, 2]);
    const idx = g.input("idx", "int64", [1, 1]);
    const y = scatterND(x, idx, unsqueeze(g.input("u", "float32", [2]), [0]));
    expect(() => gradients(reduceSum(y), [x])).toThrow(
      /No gradient rule for ScatterND node 'ScatterND_\d+' \(output t_\d+: float32\[4, 2\]\)/,
    );
  });

  it("names the op and tensor when a rule returns the wrong shape, or the wrong count", () => {
    registerOp({ opType: "BadShape", domain: "test.engine", grad: (node) => [reduceSum(node.inputs[0]!)] });
    registerOp({ opType: "BadCount", domain: "test.engine", grad: () => [] });
    const g = new Graph();
    const x = g.input("x", "float32", [3]);
    const bad = (op: string) =>
      g.addNode(op, [x], {}, [{ dtype: "float32", shape: [3] }], { domain: "test.engine" })[0];
    expect(() => gradients(reduceSum(bad("BadShape")), [x])).toThrow(
      /Gradient rule of BadShape node 'BadShape_\d+'.*returned grad\/t_\d+: float32\[\] for input 0 x: float32\[3\]/,
    );
    expect(() => gradients(reduceSum(bad("BadCount")), [x])).toThrow(/BadCount .* returned 0 gradients for 1 inputs/);
  });

  it("refuses a non-scalar loss without a seed and integer wrt tensors", () => {
    const g = new Graph();
    const x = g.input("x", "float32", [3]);
    expect(() => gradients(exp(x), [x])).toThrow(/not a scalar/);
    expect(() => gradients(reduceSum(x), [g.input("i", "int64", [3])])).toThrow(/not a float tensor/);
    expect(() => linear(x, x)).toThrow(/must be \[out, in\]/);
  });
});
