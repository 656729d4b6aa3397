import { describe, expect, it } from "vitest";
import { interleaveEvenly, planTraining } from "./epoch-plan.ts";
import { collateBatch, packExamples, truncateExamples, type TrainingExample } from "./training-batch.ts";

const ex = (n: number, first: number): TrainingExample => ({
  inputIds: Array.from({ length: n }, (_, i) => first + i),
  labels: Array.from({ length: n }, (_, i) => (i < 2 ? -100 : first + i)),
});

describe("batches", () => {
  it("truncates to max_seq_len and counts the truncated examples", () => {
    const { examples, truncated } = truncateExamples([ex(5, 0), ex(12, 100), ex(8, 200)], 8);
    expect(truncated).toBe(1);
    expect(examples.map((e) => e.inputIds.length)).toEqual([5, 8, 8]);
    expect(examples[1].labels).toEqual([-100, -100, 102, 103, 104, 105, 106, 107]);
  });

  it("right-pads with the pad id, masks padding and counts shifted supervised positions", () => {
    const b = collateBatch([ex(3, 10), ex(5, 20)], { padTokenId: 0, padToMultipleOf: 4 });
    expect([b.batchSize, b.seqLen, b.tokens, b.supervisedTokens]).toEqual([2, 8, 8, 1 + 3]);
    expect(Array.from(b.inputIds, Number)).toEqual([10, 11, 12, 0, 0, 0, 0, 0, 20, 21, 22, 23, 24, 0, 0, 0]);
    expect(Array.from(b.attentionMask, Number)).toEqual([1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0]);
    expect(Array.from(b.labels, Number).slice(0, 4)).toEqual([-100, -100, 12, -100]);
  });

  it("packs examples in order into rows that fit", () => {
    const rows = packExamples([ex(3, 0), ex(4, 10), ex(6, 20), ex(2, 30)], 8);
    expect(rows.map((r) => r.inputIds)).toEqual([
      [0, 1, 2, 10, 11, 12, 13],
      [20, 21, 22, 23, 24, 25, 30, 31],
    ]);
  });
});

describe("planTraining", () => {
  const data = Array.from({ length: 10 }, (_, i) => ex(4, i * 10));

  it("shuffles each epoch differently but reproducibly from the seed", () => {
    const opts = { epochs: 2, batchSize: 3, gradAccumulation: 2, maxSeqLen: 16, seed: 1 };
    const a = planTraining(data, opts);
    const b = planTraining(data, opts);
    expect(a.epochs.map((e) => e.order)).toEqual(b.epochs.map((e) => e.order));
    expect(a.epochs[0].order).not.toEqual(a.epochs[1].order);
    expect([...a.epochs[0].order].sort((x, y) => x - y)).toEqual(data.map((_, i) => i));
    expect(planTraining(data, { ...opts, seed: 2 }).epochs[0].order).not.toEqual(a.epochs[0].order);
    // 10 examples → 4 micro-batches (3, 3, 3, 1) → 2 steps of 2 micro-batches, per epoch
    expect(a.totalSteps).toBe(4);
    expect(a.epochs[0].steps.map((s) => s.map((m) => m.length))).toEqual([
      [3, 3],
      [3, 1],
    ]);
  });

  it("lets a schedule hook add examples to every epoch", () => {
    const extra = ex(4, 999);
    const plan = planTraining(data, {
      epochs: 2,
      batchSize: 1,
      gradAccumulation: 1,
      maxSeqLen: 16,
      seed: 1,
      schedule: ({ examples }) => interleaveEvenly(examples, [extra, extra]),
    });
    expect(plan.totalSteps).toBe(24);
    const firstEpoch = plan.epochs[0].steps.map((s) => s[0][0]);
    expect(firstEpoch.map((e, i) => (e === extra ? i : -1)).filter((i) => i >= 0)).toEqual([3, 7]);
  });

  it("spreads extra items evenly", () => {
    expect(interleaveEvenly<number | string>([1, 2, 3, 4, 5, 6], ["a", "b"])).toEqual([1, 2, "a", 3, 4, "b", 5, 6]);
    expect(interleaveEvenly([1, 2], [])).toEqual([1, 2]);
    expect(interleaveEvenly([], ["a"])).toEqual(["a"]);
  });
});
