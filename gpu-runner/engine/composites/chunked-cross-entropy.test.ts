import { describe, expect, it } from "vitest";
import { Graph, i64, slice, type Tensor } from "../index.ts";
import { checkGradients, randomF64 } from "../testing/grad-check.ts";
import { runGraph, values } from "../testing/run-graph.ts";
import { chunkedCrossEntropy } from "./chunked-cross-entropy.ts";
import { crossEntropy } from "./cross-entropy.ts";

/** The class axis [..., 7] cut into chunks of 3, 3 and 1 (uneven, as a vocabulary that does not divide). */
const chunksOf = (l: Tensor) => [slice(l, [0], [3], [-1]), slice(l, [3], [6], [-1]), slice(l, [6], [7], [-1])];

// Labels in every chunk (0, 4, 6 = the last class alone in its chunk), chunk edges (2, 3) and ignored positions.
const labels = i64([2, 4], [0, 4, -100, 6, 2, 3, 5, -100]);

describe("cross-entropy over vocabulary chunks", () => {
  it("equals the cross-entropy of the whole logits, per position and as mean, with large logits (float64)", async () => {
    const feed = randomF64([2, 4, 7], 11, 4);
    (feed.data as Float64Array)[3] = 800; // exp(800) overflows float64 without the max shift
    (feed.data as Float64Array)[30] = -900;
    const g = new Graph();
    const l = g.input("logits", "float64", ["B", "T", 7]);
    const y = g.input("labels", "int64", ["B", "T"]);
    g.output(chunkedCrossEntropy(chunksOf(l), y, { reduction: "none" }), "chunked");
    g.output(crossEntropy(l, y, { reduction: "none" }), "whole");
    g.output(chunkedCrossEntropy(chunksOf(l), y), "chunked_mean");
    g.output(crossEntropy(l, y), "whole_mean");
    const out = await runGraph(g, { logits: feed, labels });
    const [a, b] = [values(out.chunked), values(out.whole)];
    expect(a.every(Number.isFinite)).toBe(true);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i]), `position ${i}`).toBeLessThan(1e-12 * (1 + b[i]));
    expect(a[2]).toBe(0); // ignored
    expect(values(out.chunked_mean)[0]).toBeCloseTo(values(out.whole_mean)[0], 12);
  });

  it("gradient (float64) through every chunk", async () => {
    await checkGradients({
      inputs: [
        { name: "logits", feed: randomF64([2, 4, 7], 12, 2), shape: ["B", "T", 7] },
        { name: "labels", feed: labels, shape: ["B", "T"] },
      ],
      build: ([l, y]) => chunkedCrossEntropy(chunksOf(l), y, { reduction: "sum" }),
    });
  });

  it("one chunk is the plain log-sum-exp form", async () => {
    await checkGradients({
      inputs: [
        { name: "logits", feed: randomF64([2, 4, 7], 13), shape: ["B", "T", 7] },
        { name: "labels", feed: labels, shape: ["B", "T"] },
      ],
      build: ([l, y]) => chunkedCrossEntropy([l], y),
    });
  });
});
