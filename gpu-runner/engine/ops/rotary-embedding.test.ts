import { describe, expect, it } from "vitest";
import {
  add,
  applyRope,
  f32,
  gradients,
  Graph,
  i64,
  mul,
  reduceSum,
  ropeCosSin,
  ropeInvFreq,
  ropeTables,
} from "../index.ts";
import type { Tensor } from "../graph/graph.ts";
import { randomF64 } from "../testing/grad-check.ts";
import { runGraph, values } from "../testing/run-graph.ts";
import { rotaryEmbedding } from "./rotary-embedding.ts";

// The contrib kernel has float32 kernels only, so instead of finite differences (float64) it is checked
// against the primitive form, whose float64 gradients layers.test.ts checks by finite differences.
const [b, h, t, d] = [2, 3, 5, 8];
const invFreq = ropeInvFreq(d, 100);
const x = randomF64([b, h, t, d], 1);
const probe = randomF64([b, h, t, d], 2);
const asF32 = (v: { dims: readonly number[]; data: unknown }) => f32(v.dims, Array.from(v.data as Float64Array));

/** y = rope(x) and dL/dx for L = Σ y ⊙ probe, with the rotation given by `rope`. */
function emit(g: Graph, name: string, xIn: Tensor, p: Tensor, rope: (x: Tensor) => Tensor): void {
  const y = rope(xIn);
  g.output(add(y, 0), `${name}.y`);
  g.output(gradients(reduceSum(mul(y, p)), [xIn])[0], `${name}.dx`);
}

function expectClose(a: number[], e: number[], tol: number): void {
  expect(a.length).toBe(e.length);
  const worst = Math.max(...a.map((v, i) => Math.abs(v - e[i])));
  expect(worst).toBeLessThanOrEqual(tol);
}

describe("RotaryEmbedding (com.microsoft) vs the rotate_half primitives", () => {
  it("per-token positions [B, T]: output and input gradient", async () => {
    const positions = [0, 1, 2, 3, 4, 7, 3, 9, 1, 0];
    const g = new Graph();
    const xIn = g.input("x", "float32", ["B", h, "T", d]);
    const pos = g.input("pos", "int64", ["B", "T"]);
    const p = g.input("probe", "float32", ["B", h, "T", d]);
    const tables = ropeTables(g.scalar(10, "int64"), invFreq); // rows 0..9
    emit(g, "fused", xIn, p, (v) => rotaryEmbedding(v, pos, tables.cos, tables.sin));
    const { cos, sin } = ropeCosSin(pos, invFreq);
    emit(g, "primitive", xIn, p, (v) => applyRope(v, cos, sin));
    const out = await runGraph(g, { x: asF32(x), probe: asF32(probe), pos: i64([b, t], positions) });
    expectClose(values(out["fused.y"]), values(out["primitive.y"]), 1e-6);
    expectClose(values(out["fused.dx"]), values(out["primitive.dx"]), 1e-6);
  });

  it("a start position [1]: token t uses row p₀ + t", async () => {
    const g = new Graph();
    const xIn = g.input("x", "float32", ["B", h, "T", d]);
    const p = g.input("probe", "float32", ["B", h, "T", d]);
    const tables = ropeTables(g.scalar(t + 2, "int64"), invFreq);
    emit(g, "fused", xIn, p, (v) => rotaryEmbedding(v, g.ints([2]), tables.cos, tables.sin));
    const shifted = g.constant(i64([1, t], [2, 3, 4, 5, 6]));
    const { cos, sin } = ropeCosSin(shifted, invFreq);
    emit(g, "primitive", xIn, p, (v) => applyRope(v, cos, sin));
    const out = await runGraph(g, { x: asF32(x), probe: asF32(probe) });
    expectClose(values(out["fused.y"]), values(out["primitive.y"]), 1e-6);
    expectClose(values(out["fused.dx"]), values(out["primitive.dx"]), 1e-6);
  });

  it("rejects what the kernel cannot take, saying what to pass", () => {
    const g = new Graph();
    const pos = g.ints([0]);
    const tables = ropeTables(g.scalar(4, "int64"), invFreq);
    expect(() => rotaryEmbedding(g.input("a", "float64", [1, 1, 4, d]), pos, tables.cos, tables.sin)).toThrow(
      /must be float32/,
    );
    expect(() => rotaryEmbedding(g.input("c", "float32", [1, 1, 4, 6]), pos, tables.cos, tables.sin)).toThrow(
      /\[P, D\/2\] = \[P, 3\]/,
    );
  });
});
