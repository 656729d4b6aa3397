import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { newcombeDifference, testIncrease, wilsonInterval } from "./gate-statistics.ts";
import { binomialPmf, gateFailureProbability, renderPowerTable } from "./gate-power.ts";

const Z95_TWO_SIDED = 1.959963984540054;

describe("Wilson and Newcombe intervals", () => {
  it("match published Wilson intervals", () => {
    // 0/10 and 1/10 at 95 %: [0, 0.2775] and [0.0179, 0.4042] (Newcombe 1998a, Table I)
    expect(wilsonInterval(0, 10, Z95_TWO_SIDED).upper).toBeCloseTo(0.2775, 4);
    expect(wilsonInterval(1, 10, Z95_TWO_SIDED).lower).toBeCloseTo(0.0179, 4);
    expect(wilsonInterval(1, 10, Z95_TWO_SIDED).upper).toBeCloseTo(0.4042, 4);
    expect(wilsonInterval(0, 0, Z95_TWO_SIDED)).toEqual({ lower: 0, upper: 1 });
    expect(() => wilsonInterval(3, 2, Z95_TWO_SIDED)).toThrow(/0 ≤ x ≤ n/);
  });

  it("match Newcombe's (1998) worked examples for method 10", () => {
    const cases = [
      { tuned: { x: 56, n: 70 }, base: { x: 48, n: 80 }, lower: 0.0524, upper: 0.3339 },
      { tuned: { x: 9, n: 10 }, base: { x: 3, n: 10 }, lower: 0.1705, upper: 0.809 },
      { tuned: { x: 5, n: 56 }, base: { x: 0, n: 29 }, lower: -0.0381, upper: 0.1926 },
    ];
    for (const c of cases) {
      const d = newcombeDifference(c.base, c.tuned, Z95_TWO_SIDED);
      expect(d.lower).toBeCloseTo(c.lower, 4);
      expect(d.upper).toBeCloseTo(c.upper, 4);
    }
  });
});

describe("gate decision", () => {
  const base = { x: 2, n: 240 };
  it("strict mode passes only when the upper bound is below the threshold", () => {
    expect(testIncrease({ base, tuned: { x: 3, n: 240 }, threshold: 0.05, mode: "strict" }).passed).toBe(true);
    // +2.5 pp observed: the upper bound (~+5.3 pp) is not below 5 pp, so the fine-tune has not shown it is safe
    const r = testIncrease({ base, tuned: { x: 8, n: 240 }, threshold: 0.05, mode: "strict" });
    expect(r.passed).toBe(false);
    expect(r.decidingBound).toBe(r.bound.upper);
  });
  it("lenient mode fails only when the lower bound exceeds the threshold", () => {
    expect(testIncrease({ base, tuned: { x: 20, n: 240 }, threshold: 0.05, mode: "lenient" }).passed).toBe(true);
    const r = testIncrease({ base, tuned: { x: 40, n: 240 }, threshold: 0.05, mode: "lenient" });
    expect(r.passed).toBe(false);
    expect(r.decidingBound).toBe(r.bound.lower);
  });
});

/** C(n, k) p^k (1-p)^(n-k) with exact BigInt binomial coefficients: an independent check of the log-space pmf. */
function exactPmf(n: number, k: number, p: number): number {
  let c = 1n;
  for (let i = 0; i < k; i++) c = (c * BigInt(n - i)) / BigInt(i + 1);
  return Number(c) * p ** k * (1 - p) ** (n - k);
}

describe("exact operating characteristics", () => {
  it("the pmf equals exact binomial arithmetic and sums to one", () => {
    for (const [n, p] of [
      [40, 0.08],
      [240, 0.05],
      [17, 0.5],
    ] as const) {
      const pmf = binomialPmf(n, p);
      for (let k = 0; k <= n; k++) expect(pmf[k]).toBeCloseTo(exactPmf(n, k, p), 12);
      expect(pmf.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    }
  });

  it("reproduces the weakness of the point-estimate gate at 40 answers", () => {
    // The earlier rule (fail iff the observed increase > 5 pp, 10 questions × 4 samples) caught a true rise
    // from 1 % to 8 % about half the time and failed an unchanged model at 10 % about one time in six.
    const pointRule = (pb: number, pt: number) => {
      const a = binomialPmf(40, pb);
      const b = binomialPmf(40, pt);
      let fail = 0;
      for (let i = 0; i <= 40; i++)
        for (let j = 0; j <= 40; j++) if ((j - i) / 40 > 0.05 + 1e-12) fail += a[i]! * b[j]!;
      return fail;
    };
    expect(pointRule(0.01, 0.08)).toBeCloseTo(0.54, 2);
    expect(pointRule(0.1, 0.1)).toBeCloseTo(0.173, 2);
  });

  it("equals a brute-force sum over every outcome at small n", () => {
    const n = 12;
    const input = { baseRate: 0.1, tunedRate: 0.4, nBase: n, nTuned: n, threshold: 0.05, mode: "strict" as const };
    let brute = 0;
    for (let xb = 0; xb <= n; xb++)
      for (let xt = 0; xt <= n; xt++) {
        const { passed } = testIncrease({ base: { x: xb, n }, tuned: { x: xt, n }, threshold: 0.05, mode: "strict" });
        if (!passed) brute += exactPmf(n, xb, 0.1) * exactPmf(n, xt, 0.4);
      }
    expect(gateFailureProbability(input)).toBeCloseTo(brute, 12);
  });

  it("the power table in docs/gate.md is the one the code computes", () => {
    const docs = readFileSync(new URL("../../docs/gate.md", import.meta.url), "utf8");
    expect(docs).toContain(renderPowerTable(240, 0.05));
  });
});
