import { describe, expect, it } from "vitest";
import { lengthBatches } from "./length-batches.ts";

describe("length batches", () => {
  it("sorts by length and cuts where rows × the longest row would pass the budget", () => {
    // sorted: 1 (len 2), 3 (len 3), 0 (len 5), 4 (len 5), 2 (len 9)
    expect(lengthBatches([5, 2, 9, 3, 5], 10)).toEqual([[1, 3], [0, 4], [2]]);
    for (const batch of lengthBatches([5, 2, 9, 3, 5], 10))
      expect(batch.length * Math.max(...batch.map((i) => [5, 2, 9, 3, 5][i]))).toBeLessThanOrEqual(10);
  });

  it("caps the rows, keeps ties in index order, and runs a sequence above the budget alone", () => {
    expect(lengthBatches([4, 4, 4, 4, 4], 100, 2)).toEqual([[0, 1], [2, 3], [4]]);
    expect(lengthBatches([3, 50, 3], 20)).toEqual([[0, 2], [1]]);
    expect(lengthBatches([], 8)).toEqual([]);
    expect(() => lengthBatches([1], 0)).toThrow(/maxTokens/);
  });
});
