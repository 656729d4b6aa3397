import { describe, expect, it } from "vitest";
import { f32, gradients, Graph, mul, reduceSum, sigmoid } from "../index.ts";
import { randomF64 } from "../testing/grad-check.ts";
import { runGraph, values } from "../testing/run-graph.ts";
import { TEST_EP } from "../testing/test-ep.ts";
import { siluKernel } from "./quick-gelu.ts";

// The contrib kernel is float32 only, so its gradient rule is checked against the chain rule through
// Sigmoid and Mul (each checked by finite differences in float64 in elementwise.test.ts), in float32.
describe("QuickGelu (alpha 1) as SiLU", () => {
  it("output and input gradient equal x·σ(x) through the primitives", async () => {
    const n = 257; // not a multiple of the vector width
    const x = randomF64([n], 4, 6); // values in (−6, 6): both tails of σ
    const probe = randomF64([n], 5);
    const g = new Graph();
    const xIn = g.input("x", "float32", ["N"]);
    const p = g.input("probe", "float32", ["N"]);
    const fused = siluKernel(xIn);
    const primitive = mul(xIn, sigmoid(xIn));
    g.output(fused, "fused");
    g.output(primitive, "primitive");
    g.output(gradients(reduceSum(mul(fused, p)), [xIn])[0], "dFused");
    g.output(gradients(reduceSum(mul(primitive, p)), [xIn])[0], "dPrimitive");
    const asF32 = (t: { dims: readonly number[]; data: unknown }) => f32(t.dims, Array.from(t.data as Float64Array));
    const out = await runGraph(g, { x: asF32(x), probe: asF32(probe) });
    const worst = (a: number[], e: number[]) =>
      Math.max(...a.map((v, i) => Math.abs(v - e[i]) / Math.max(1, Math.abs(e[i]))));
    // On the CPU EP the kernel computes the same logistic and product: bit-equal. WebGPU's shader evaluates the
    // logistic its own way (differences of a few float32 ulps).
    if (TEST_EP === "cpu") expect(values(out.fused)).toEqual(values(out.primitive));
    else expect(worst(values(out.fused), values(out.primitive))).toBeLessThanOrEqual(1e-6);
    expect(worst(values(out.dFused), values(out.dPrimitive))).toBeLessThanOrEqual(1e-6);
  });

  it("rejects float64, saying why", () => {
    expect(() => siluKernel(new Graph().input("x", "float64", [2]))).toThrow(/float32 only/);
  });
});
