import { describe, expect, it } from "vitest";
import { Graph, i64, slice, type Tensor } from "../index.ts";
import { checkGradients, randomF64 } from "../testing/grad-check.ts";
import { runGraph, values } from "../testing/run-graph.ts";
import { chunkedKlDivergence } from "./chunked-kl-divergence.ts";
import { klDivergence } from "./kl-divergence.ts";

/** The class axis [..., 7] cut into chunks of 3, 3 and 1 (uneven, as a vocabulary that does not divide). */
const chunksOf = (l: Tensor) => [slice(l, [0], [3], [-1]), slice(l, [3], [6], [-1]), slice(l, [6], [7], [-1])];

const mask = i64([2, 4], [1, 1, 0, 1, 1, 0, 1, 1]);

describe("KL divergence over vocabulary chunks", () => {
  it("equals the KL of the whole logits, both directions, per position and as masked mean, with large logits (float64)", async () => {
    const p = randomF64([2, 4, 7], 21, 4);
    const q = randomF64([2, 4, 7], 22, 4);
    (p.data as Float64Array)[3] = 800; // exp(800) overflows float64 without the max shift
    (q.data as Float64Array)[17] = -900;
    (q.data as Float64Array)[40] = 700; // the two models' maxima in different chunks of one position
    const g = new Graph();
    const [lp, lq] = [g.input("p", "float64", ["B", "T", 7]), g.input("q", "float64", ["B", "T", 7])];
    const m = g.input("mask", "int64", ["B", "T"]);
    g.output(chunkedKlDivergence(chunksOf(lp), chunksOf(lq), undefined, "none"), "pq_chunked");
    g.output(klDivergence(lp, lq, undefined, "none"), "pq_whole");
    g.output(chunkedKlDivergence(chunksOf(lq), chunksOf(lp), undefined, "none"), "qp_chunked");
    g.output(klDivergence(lq, lp, undefined, "none"), "qp_whole");
    g.output(chunkedKlDivergence(chunksOf(lp), chunksOf(lq), m), "mean_chunked");
    g.output(klDivergence(lp, lq, m), "mean_whole");
    const out = await runGraph(g, { p, q, mask });
    for (const dir of ["pq", "qp"]) {
      const [a, b] = [values(out[`${dir}_chunked`]), values(out[`${dir}_whole`])];
      expect(a.length).toBe(8);
      expect(a.every(Number.isFinite)).toBe(true);
      expect(b.some((v) => v > 1)).toBe(true); // the distributions differ: the check is not 0 against 0
      for (let i = 0; i < a.length; i++)
        expect(Math.abs(a[i] - b[i]), `${dir} position ${i}`).toBeLessThan(1e-12 * (1 + b[i]));
    }
    expect(values(out.mean_chunked)[0]).toBeCloseTo(values(out.mean_whole)[0], 12);
  });

  it("gradient (float64) with respect to both logits, through every chunk", async () => {
    await checkGradients({
      inputs: [
        { name: "p", feed: randomF64([2, 4, 7], 23, 2), shape: ["B", "T", 7] },
        { name: "q", feed: randomF64([2, 4, 7], 24, 2), shape: ["B", "T", 7] },
        { name: "mask", feed: mask, shape: ["B", "T"] },
      ],
      build: ([p, q, m]) => chunkedKlDivergence(chunksOf(p), chunksOf(q), m, "sum"),
    });
  });

  it("rejects chunks that do not line up", () => {
    const g = new Graph();
    const l = g.input("l", "float32", ["B", "T", 7]);
    expect(() => chunkedKlDivergence(chunksOf(l), [slice(l, [0], [4], [-1]), slice(l, [4], [7], [-1])])).toThrow(
      /3 p chunks against 2 q chunks/,
    );
    const shifted = [slice(l, [0], [2], [-1]), slice(l, [2], [6], [-1]), slice(l, [6], [7], [-1])];
    expect(() => chunkedKlDivergence(chunksOf(l), shifted)).toThrow(/chunk 0/);
  });
});
