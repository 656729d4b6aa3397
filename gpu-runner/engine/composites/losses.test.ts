import { describe, expect, it } from "vitest";
import { bool, f64, Graph, i64 } from "../index.ts";
import { checkGradients, randomF64 } from "../testing/grad-check.ts";
import { runGraph, values } from "../testing/run-graph.ts";
import { crossEntropy } from "./cross-entropy.ts";
import { klDivergence } from "./kl-divergence.ts";

const { LN2, log } = Math;

describe("cross-entropy with ignore index", () => {
  // Row 0: softmax = [1, 2, 3]/6, label 2 → ln 2. Row 1: p₀ = 4/6 → ln 1.5. Row 2 is ignored (−100).
  const logits = f64([3, 3], [0, LN2, log(3), log(4), 0, 0, 5, -5, 0]);
  const labels = i64([3], [2, 0, -100]);

  it("mean over supervised tokens, sum and per-position values match hand-computed ones", async () => {
    const g = new Graph();
    const l = g.input("logits", "float64", ["N", 3]);
    const y = g.input("labels", "int64", ["N"]);
    g.output(crossEntropy(l, y), "mean");
    g.output(crossEntropy(l, y, { reduction: "sum" }), "sum");
    g.output(crossEntropy(l, y, { reduction: "none" }), "none");
    const out = await runGraph(g, { logits, labels });
    expect(values(out.mean)[0]).toBeCloseTo(log(3) / 2, 14);
    expect(values(out.sum)[0]).toBeCloseTo(log(3), 14);
    const none = values(out.none);
    [LN2, log(1.5), 0].forEach((v, i) => expect(none[i]).toBeCloseTo(v, 14));
  });

  it("has a custom ignore index and NaN when nothing is supervised (as torch)", async () => {
    const g = new Graph();
    g.output(
      crossEntropy(g.input("logits", "float64", [3, 3]), g.input("labels", "int64", [3]), { ignoreIndex: 0 }),
      "loss",
    );
    expect(values((await runGraph(g, { logits, labels: i64([3], [2, 0, 0]) })).loss)[0]).toBeCloseTo(LN2, 14);
    expect(values((await runGraph(g, { logits, labels: i64([3], [0, 0, 0]) })).loss)[0]).toBeNaN();
  });

  it("gradient (float64), batch × time layout", async () => {
    await checkGradients({
      inputs: [
        { name: "logits", feed: randomF64([2, 3, 4], 1), shape: ["B", "T", 4] },
        { name: "labels", feed: i64([2, 3], [1, -100, 3, 0, 2, -100]), shape: ["B", "T"] },
      ],
      build: ([l, y]) => crossEntropy(l, y),
    });
  });
});

describe("KL divergence between logit tensors", () => {
  // Position 0: p = [1/4, 3/4], q = [1/2, 1/2]. Position 1 is masked out.
  const p = f64([2, 2], [0, log(3), 3, -1]);
  const q = f64([2, 2], [0, 0, -2, 2]);
  const mask = bool([2], [true, false]);

  it("both directions, masked mean, match hand-computed values", async () => {
    const g = new Graph();
    const tp = g.input("p", "float64", ["N", 2]);
    const tq = g.input("q", "float64", ["N", 2]);
    const m = g.input("mask", "bool", ["N"]);
    g.output(klDivergence(tp, tq, m), "pq");
    g.output(klDivergence(tq, tp, m), "qp");
    g.output(klDivergence(tp, tp, m), "pp");
    const out = await runGraph(g, { p, q, mask });
    expect(values(out.pq)[0]).toBeCloseTo(0.25 * log(0.5) + 0.75 * log(1.5), 14);
    expect(values(out.qp)[0]).toBeCloseTo(0.5 * log(2) + 0.5 * log(2 / 3), 14);
    expect(values(out.pp)[0]).toBe(0);
  });

  it("gradient with respect to both logit tensors (float64)", async () => {
    await checkGradients({
      inputs: [
        { name: "p", feed: randomF64([2, 3, 4], 2), shape: ["B", "T", 4] },
        { name: "q", feed: randomF64([2, 3, 4], 3), shape: ["B", "T", 4] },
        { name: "mask", feed: i64([2, 3], [1, 1, 0, 1, 0, 0]), shape: ["B", "T"] },
      ],
      build: ([tp, tq, m]) => klDivergence(tp, tq, m),
    });
  });
});
