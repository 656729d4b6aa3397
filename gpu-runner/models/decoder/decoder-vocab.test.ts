import { describe, expect, it } from "vitest";
import { add, chunkedCrossEntropy, chunkedKlDivergence, Graph, i64, reduceSum, tanh } from "../../engine/index.ts";
import { checkGradients, randomF64 } from "../../engine/testing/grad-check.ts";
import { runGraph, values } from "../../engine/testing/run-graph.ts";
import { embedTokens, headLogits, vocabChunkRows, vocabSlices, wholeLogits } from "./decoder-vocab.ts";

// ids and labels in every chunk of a 7-row vocabulary cut into 3, 3 and 1 rows
const ids = i64([2, 3], [0, 6, 3, 2, 5, 4]);
const labels = i64([2, 3], [6, 1, -100, 3, 2, 5]);

describe("vocabulary row chunks", () => {
  it("embedding lookup and LM head equal the unchunked ones (float64)", async () => {
    const g = new Graph();
    const w = g.input("w", "float64", [7, 4]);
    const x = g.input("ids", "int64", ["B", "T"]);
    const chunks = vocabSlices(w, 3);
    expect(chunks.map((c) => c.shape[0])).toEqual([3, 3, 1]);
    const h = embedTokens(chunks, x); // [B, T, 4]
    g.output(h, "chunked");
    g.output(embedTokens([w], x), "whole");
    g.output(wholeLogits(headLogits(h, chunks)), "logits_chunked");
    g.output(wholeLogits(headLogits(h, [w])), "logits_whole");
    const out = await runGraph(g, { w: randomF64([7, 4], 3), ids });
    expect(values(out.chunked)).toEqual(values(out.whole)); // the other chunks add exact zeros
    const [a, b] = [values(out.logits_chunked), values(out.logits_whole)];
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 14);
  });

  it("gradient (float64) of the chunked cross-entropy through a tied embedding and LM head", async () => {
    await checkGradients({
      inputs: [
        { name: "w", feed: randomF64([7, 4], 5) },
        { name: "ids", feed: ids, shape: ["B", "T"] },
        { name: "labels", feed: labels, shape: ["B", "T"] },
      ],
      build: ([w, x, y]) => {
        const chunks = vocabSlices(w, 3);
        const h = tanh(embedTokens(chunks, x)); // [B, T, 4]
        return reduceSum(chunkedCrossEntropy(headLogits(h, chunks), y, { reduction: "none" }));
      },
    });
  });

  it("gradient (float64) of the chunked KL, both directions, between an adapted and a frozen tied vocabulary", async () => {
    await checkGradients({
      inputs: [
        { name: "w", feed: randomF64([7, 4], 6) },
        { name: "w_ref", feed: randomF64([7, 4], 7), grad: false },
        { name: "ids", feed: ids, shape: ["B", "T"] },
      ],
      build: ([w, wRef, x]) => {
        const [theta, ref] = [vocabSlices(w, 3), vocabSlices(wRef, 3)];
        const p = headLogits(tanh(embedTokens(theta, x)), theta); // [B, T, rows_i]
        const q = headLogits(tanh(embedTokens(ref, x)), ref);
        return add(chunkedKlDivergence(p, q), chunkedKlDivergence(q, p));
      },
    });
  });

  it("rows per chunk from a binding limit: weight and logits chunks fit, no chunking when all fits", () => {
    // Qwen2.5-0.5B (V 151936, H 896) at 8 × 512 tokens under lavapipe's 128 MiB
    const rows = vocabChunkRows(134217728, 4096, 896, 151936)!;
    expect(rows * 4096 * 4).toBeLessThanOrEqual(134217728);
    expect((rows + 1) * 4096 * 4).toBeGreaterThan(134217728);
    expect(Math.ceil(151936 / rows)).toBe(19);
    expect(vocabChunkRows(134217728, 16, 64, 320)).toBeUndefined();
    expect(() => vocabChunkRows(1000, 4096, 896, 151936)).toThrow(/lower the batch/);
  });
});
