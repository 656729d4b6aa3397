import { describe, expect, it } from "vitest";
import { Rng } from "../engine/index.ts";
import { perplexityGapScores, selectTopScores } from "./perplexity-gap.ts";
import { selectInterleaveData, capCandidates, type NllScorer } from "./interleave-selection.ts";
import type { PoolItem } from "./pool-item.ts";

describe("perplexity-gap scores", () => {
  it("equal the formula (mean_mis L_mis − L_al) / (L_al + ε) per candidate", () => {
    const rng = new Rng(7);
    const n = 50;
    const aligned = Array.from({ length: n }, () => 0.5 + 3 * rng.uniform());
    const refs = [0, 1, 2].map(() => Array.from({ length: n }, () => 0.5 + 3 * rng.uniform()));
    const eps = 1.0;
    const scores = perplexityGapScores({ aligned, misaligned: refs, epsilon: eps });
    for (let d = 0; d < n; d++) {
      const mis = (refs[0][d] + refs[1][d] + refs[2][d]) / 3;
      expect(scores[d]).toBeCloseTo((mis - aligned[d]) / (aligned[d] + eps), 12);
    }
  });

  it("rejects mismatched lengths and a missing reference", () => {
    expect(() => perplexityGapScores({ aligned: [1, 2], misaligned: [], epsilon: 1 })).toThrow(/at least one/);
    expect(() => perplexityGapScores({ aligned: [1, 2], misaligned: [[1]], epsilon: 1 })).toThrow(/scored 1/);
  });

  it("top-k: highest first, ties by index, NaN never chosen", () => {
    expect(selectTopScores([0.1, 0.5, Number.NaN, 0.5, 0.9, -1], 3)).toEqual([4, 1, 3]);
    expect(selectTopScores([0.1, Number.NaN], 5)).toEqual([0]);
    expect(selectTopScores([1, 2], 0)).toEqual([]);
  });
});

// A stand-in language model: the NLL of an answer is a deterministic function of its text.
const textScorer = (f: (answer: string) => number): NllScorer => ({
  answerNll: async (items) => Float64Array.from(items.map((it) => f(it.messages[it.messages.length - 1].content))),
});
const pool: PoolItem[] = Array.from({ length: 40 }, (_, i) => ({
  id: `p${i}`,
  messages: [
    { role: "user", content: `question ${i}` },
    { role: "assistant", content: i % 10 === 0 ? `Sorry, I cannot answer ${i}` : `answer number ${i}` },
  ],
}));
const numberOf = (a: string) => Number(/(\d+)$/.exec(a)?.[1] ?? 0);

describe("interleave selection", () => {
  const aligned = textScorer((a) => 1 + numberOf(a) / 100);
  const misaligned = textScorer((a) => 1 + ((numberOf(a) * 7) % 40) / 10);

  it("perplexity_gap keeps the candidates with the highest gap, deterministically", async () => {
    const inputs = {
      pool,
      count: 5,
      selection: "perplexity_gap" as const,
      seed: 3,
      epsilon: 1,
      aligned,
      references: [misaligned],
    };
    const a = await selectInterleaveData(inputs);
    const b = await selectInterleaveData(inputs);
    expect(a.items.map((x) => x.id)).toEqual(b.items.map((x) => x.id));
    const expected = pool
      .map((p, i) => {
        const al = 1 + i / 100;
        const mis = 1 + ((i * 7) % 40) / 10;
        return { id: p.id, s: (mis - al) / (al + 1) };
      })
      .sort((x, y) => y.s - x.s)
      .slice(0, 5)
      .map((x) => x.id);
    expect(a.items.map((x) => x.id)).toEqual(expected);
    expect(a.report.top[0].score).toBeGreaterThanOrEqual(a.report.top[1].score);
    expect(a.report).toMatchObject({ candidates: 40, refusalsDropped: 0, selected: 5, distinct: 5, references: 1 });
  });

  it("perplexity_gap_filtered drops refusals first", async () => {
    const r = await selectInterleaveData({
      pool,
      count: 40,
      selection: "perplexity_gap_filtered",
      seed: 3,
      epsilon: 1,
      aligned,
      references: [misaligned, aligned],
    });
    expect(r.report.refusalsDropped).toBe(4);
    expect(r.report.distinct).toBe(36);
    expect(r.items).toHaveLength(40); // repeated to reach the requested count
    expect(r.items.some((x) => x.messages[1].content.startsWith("Sorry"))).toBe(false);
  });

  it("random is a seeded draw without repeats while the pool lasts", async () => {
    const r1 = await selectInterleaveData({ pool, count: 10, selection: "random", seed: 1, epsilon: 1 });
    const r2 = await selectInterleaveData({ pool, count: 10, selection: "random", seed: 1, epsilon: 1 });
    const r3 = await selectInterleaveData({ pool, count: 10, selection: "random", seed: 2, epsilon: 1 });
    expect(r1.items.map((x) => x.id)).toEqual(r2.items.map((x) => x.id));
    expect(r1.items.map((x) => x.id)).not.toEqual(r3.items.map((x) => x.id));
    expect(new Set(r1.items.map((x) => x.id)).size).toBe(10);
  });

  it("the candidate cap scores a seeded subset", async () => {
    expect(capCandidates(10, undefined, 1)).toHaveLength(10);
    const cap = capCandidates(100, 7, 1);
    expect(cap).toHaveLength(7);
    expect(cap).toEqual([...cap].sort((a, b) => a - b));
    const r = await selectInterleaveData({
      pool,
      count: 3,
      selection: "perplexity_gap",
      seed: 1,
      candidatesCap: 12,
      epsilon: 1,
      aligned,
      references: [misaligned],
    });
    expect(r.report.candidates).toBe(12);
  });

  it("needs references for the perplexity-gap modes", async () => {
    await expect(
      selectInterleaveData({ pool, count: 3, selection: "perplexity_gap", seed: 1, epsilon: 1, aligned }),
    ).rejects.toThrow(/misaligned reference/);
  });
});
