import { describe, expect, it } from "vitest";
import { planTraining } from "../training/epoch-plan.ts";
import type { TrainingExample } from "../training/training-batch.ts";
import { interleaveCount, interleaveSchedule, safeOrderForEpoch } from "./interleave-schedule.ts";

const example = (tag: number): TrainingExample => ({ inputIds: [tag, tag], labels: [-100, tag] });

describe("interleave schedule", () => {
  it.each([
    [100, 0.05, 5],
    [1000, 0.05, 50],
    [10, 0.05, 1],
    [30, 0.05, 2],
    [7, 0.5, 4],
    [0, 0.05, 0],
  ])("|D_safe| for |D_fine| = %i at ratio %f is %i", (n, ratio, expected) => {
    expect(interleaveCount(n, ratio)).toBe(expected);
  });

  it("spreads the safe examples evenly through every epoch, each exactly once", () => {
    const fine = Array.from({ length: 100 }, (_, i) => example(i));
    const safe = Array.from({ length: 5 }, (_, i) => example(1000 + i));
    const plan = planTraining(fine, {
      epochs: 3,
      batchSize: 1,
      gradAccumulation: 1,
      maxSeqLen: 8,
      seed: 11,
      schedule: interleaveSchedule(safe, 11),
    });
    expect(plan.totalSteps).toBe(3 * 105);
    for (const e of plan.epochs) {
      const seq = e.steps.map((s) => s[0][0].inputIds[0]);
      const positions = seq.flatMap((tag, i) => (tag >= 1000 ? [i] : []));
      expect(positions).toHaveLength(5);
      expect(new Set(seq.filter((t) => t >= 1000))).toEqual(new Set([1000, 1001, 1002, 1003, 1004]));
      // gaps between consecutive safe examples (and the ends) differ by at most one fine example
      const gaps = [
        positions[0],
        ...positions.slice(1).map((p, i) => p - positions[i] - 1),
        seq.length - 1 - positions[4],
      ];
      expect(Math.max(...gaps) - Math.min(...gaps)).toBeLessThanOrEqual(1);
      // fine examples keep the epoch's shuffled order
      expect(seq.filter((t) => t < 1000)).toEqual([...e.order]);
    }
  });

  it("is deterministic per (seed, epoch) and varies across epochs", () => {
    expect(safeOrderForEpoch(20, 5, 0)).toEqual(safeOrderForEpoch(20, 5, 0));
    expect(safeOrderForEpoch(20, 5, 0)).not.toEqual(safeOrderForEpoch(20, 5, 1));
    expect(safeOrderForEpoch(20, 5, 0)).not.toEqual(safeOrderForEpoch(20, 6, 0));
    expect([...safeOrderForEpoch(20, 5, 3)].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});
