import { describe, expect, it } from "vitest";
import { f64, Graph, i64, Rng } from "../index.ts";
import { checkGradients, randomF64 } from "../testing/grad-check.ts";
import { runGraph, values } from "../testing/run-graph.ts";
import { attention, causalMask } from "./attention.ts";

/** Plain reference of HF eager causal attention with GQA and a key padding mask (fully masked rows → uniform). */
function reference(q: number[], k: number[], v: number[], mask: number[], [b, hq, hkv, t, d]: number[]): number[] {
  const out: number[] = [];
  const rep = hq / hkv;
  for (let bi = 0; bi < b; bi++)
    for (let h = 0; h < hq; h++)
      for (let i = 0; i < t; i++) {
        const kvh = Math.floor(h / rep);
        const qv = (j: number) => q[((bi * hq + h) * t + i) * d + j];
        const at = (arr: number[], s: number, j: number) => arr[((bi * hkv + kvh) * t + s) * d + j];
        const allowed = Array.from({ length: t }, (_, s) => s <= i && mask[bi * t + s] === 1);
        const scores = Array.from({ length: t }, (_, s) => {
          let dot = 0;
          for (let j = 0; j < d; j++) dot += qv(j) * at(k, s, j);
          return dot / Math.sqrt(d);
        });
        const any = allowed.some(Boolean);
        const m = Math.max(...scores.filter((_, s) => allowed[s] || !any));
        const w = scores.map((sc, s) => (allowed[s] ? Math.exp(sc - m) : any ? 0 : 1));
        const z = w.reduce((p, x) => p + x, 0);
        for (let j = 0; j < d; j++) out.push(w.reduce((p, x, s) => p + (x / z) * at(v, s, j), 0));
      }
  return out;
}

describe("causal grouped-query attention with padding", () => {
  const dims = [2, 4, 2, 3, 2]; // B, Hq, Hkv, T, D
  const [b, hq, hkv, t, d] = dims;
  const rng = new Rng(7);
  const q = Array.from(rng.normalArray(b * hq * t * d));
  const k = Array.from(rng.normalArray(b * hkv * t * d));
  const v = Array.from(rng.normalArray(b * hkv * t * d));
  // Example 0 is right-padded; example 1 is left-padded, so its first query sees no key at all.
  const mask = [1, 1, 0, 0, 1, 1];

  it("matches the reference, including fully masked rows", async () => {
    const g = new Graph();
    const m = causalMask(g.input("mask", "int64", ["B", "T"]));
    expect(m.shape).toEqual(["B", 1, "T", "T"]);
    const tq = g.input("q", "float64", ["B", hq, "T", d]);
    const tk = g.input("k", "float64", ["B", hkv, "T", d]);
    const tv = g.input("v", "float64", ["B", hkv, "T", d]);
    const o = attention(tq, tk, tv, { mask: m });
    expect(o.shape).toEqual(["B", hq, "T", d]);
    g.output(o, "o");
    const out = await runGraph(
      g,
      {
        q: f64([b, hq, t, d], q),
        k: f64([b, hkv, t, d], k),
        v: f64([b, hkv, t, d], v),
        mask: i64([b, t], mask),
      },
      { graphOptimizationLevel: "basic" },
    );
    const ref = reference(q, k, v, mask, dims);
    // Level "basic": at "all" ORT folds the score scale into FusedMatMul's float32 alpha, which costs float64
    // precision (~1e-9); float32 graphs are unaffected.
    values(out.o).forEach((x, i) => expect(Math.abs(x - ref[i])).toBeLessThan(1e-12));
  });

  it("gradients with respect to q, k and v (float64)", async () => {
    await checkGradients({
      inputs: [
        { name: "q", feed: randomF64([1, 4, 3, 2], 1), shape: ["B", 4, "T", 2] },
        { name: "k", feed: randomF64([1, 2, 3, 2], 2), shape: ["B", 2, "T", 2] },
        { name: "v", feed: randomF64([1, 2, 3, 2], 3), shape: ["B", 2, "T", 2] },
        { name: "mask", feed: i64([1, 3], [1, 1, 0]), shape: ["B", "T"] },
      ],
      build: ([tq, tk, tv, m]) => attention(tq, tk, tv, { mask: causalMask(m) }),
    });
  });
});

describe("causal mask for queries appended to a KV cache", () => {
  it("lets the new queries see every earlier non-pad key and themselves", async () => {
    const g = new Graph();
    const keys = g.input("mask", "int64", ["B", "S"]);
    g.output(causalMask(keys, g.input("qidx", "int64", ["T"])), "m");
    const out = await runGraph(g, { mask: i64([1, 4], [0, 1, 1, 1]), qidx: i64([2], [2, 3]) });
    expect(out.m.dims).toEqual([1, 1, 2, 4]);
    expect(values(out.m)).toEqual([0, 1, 1, 0, 0, 1, 1, 1]);
  });
});
