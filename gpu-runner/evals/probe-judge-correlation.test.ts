import { describe, expect, it } from "vitest";
import { pearson, probeJudgeCorrelation, ranks, spearman, type ProbeJudgeRun } from "./probe-judge-correlation.ts";

const runsOf = (x: number[], y: number[]): ProbeJudgeRun[] =>
  x.map((probeMargin, i) => ({ probeMargin, judgedMisalignment: y[i] }));

describe("probe-vs-judge correlation", () => {
  it("matches scipy's pearsonr and spearmanr (ties averaged) on fixed inputs", () => {
    // scipy.stats.pearsonr / spearmanr: 0.7745966692414835 and 0.7378647873726218
    expect(pearson([1, 2, 3, 4, 5], [2, 4, 5, 4, 5])).toBeCloseTo(0.7745966692414835, 12);
    expect(spearman([1, 2, 3, 4, 5], [2, 4, 5, 4, 5])).toBeCloseTo(0.7378647873726218, 12);
    expect(ranks([2, 4, 5, 4, 5])).toEqual([1, 2.5, 4.5, 2.5, 4.5]);
    const x = [0.1, -0.3, 0.5, 0.2, -0.1, 0.9];
    const y = [0.05, 0.01, 0.4, 0.3, 0.02, 0.5];
    expect(pearson(x, y)).toBeCloseTo(0.9364842930881329, 12);
    expect(spearman(x, y)).toBe(1);
  });

  it("reports both estimates with reproducible bootstrap intervals around them", () => {
    const runs = runsOf([0.1, -0.3, 0.5, 0.2, -0.1, 0.9, 0.4, -0.2], [0.05, 0.01, 0.4, 0.3, 0.02, 0.5, 0.1, 0.06]);
    const a = probeJudgeCorrelation(runs, { seed: 3 });
    expect(a.runs).toBe(8);
    expect(a.pearson.estimate).toBeCloseTo(
      pearson(
        runs.map((r) => r.probeMargin),
        runs.map((r) => r.judgedMisalignment),
      ),
      12,
    );
    for (const c of [a.pearson, a.spearman]) {
      expect(c.ci95).not.toBeNull();
      const [lo, hi] = c.ci95!;
      expect(lo).toBeLessThanOrEqual(c.estimate);
      expect(hi).toBeGreaterThanOrEqual(c.estimate);
      expect(lo).toBeGreaterThan(0); // strongly related on these inputs
      expect(hi).toBeLessThanOrEqual(1);
    }
    expect(a.bootstrap.resamples).toBe(2000);
    expect(a.bootstrap.used).toBeGreaterThan(1900);
    expect(probeJudgeCorrelation(runs, { seed: 3 })).toEqual(a);
    expect(probeJudgeCorrelation(runs, { seed: 4 }).pearson.ci95).not.toEqual(a.pearson.ci95);
  });

  it("gives an interval of exactly 1 for a perfect linear relation, and negative ones for an inverse relation", () => {
    const x = [0, 1, 2, 3, 4, 5];
    const perfect = probeJudgeCorrelation(
      runsOf(
        x,
        x.map((v) => 0.1 * v + 0.02),
      ),
    );
    expect(perfect.pearson.estimate).toBeCloseTo(1, 12);
    expect(perfect.pearson.ci95![0]).toBeCloseTo(1, 12);
    expect(perfect.spearman.ci95).toEqual([1, 1]);
    const inverse = probeJudgeCorrelation(runsOf(x, [0.5, 0.45, 0.3, 0.31, 0.1, 0.0]));
    expect(inverse.spearman.estimate).toBeLessThan(-0.9);
    expect(inverse.pearson.ci95![1]).toBeLessThan(0);
  });

  it("refuses fewer than three runs and non-finite values, naming the run", () => {
    expect(() => probeJudgeCorrelation(runsOf([1, 2], [0, 1]))).toThrow("at least 3 runs, got 2");
    expect(() => probeJudgeCorrelation(runsOf([1, 2, Number.NaN], [0, 1, 2]))).toThrow("run 2");
  });

  it("is undefined (NaN, no interval) when one variable never varies", () => {
    const c = probeJudgeCorrelation(runsOf([1, 2, 3, 4], [0.2, 0.2, 0.2, 0.2]));
    expect(c.pearson.estimate).toBeNaN();
    expect(c.pearson.ci95).toBeNull();
    expect(c.bootstrap.used).toBe(0);
  });
});
