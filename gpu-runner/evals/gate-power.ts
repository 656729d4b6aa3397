/**
 * Exact operating characteristics of the gate: the probability that it fails a fine-tune, given the true
 * base and fine-tuned rates and the number of judged answers. Computed by summing the two binomial
 * distributions over every possible pair of counts — no simulation — so the power table in docs/gate.md is
 * exact for the gate as implemented.
 */
import { testIncrease, type GateMode } from "./gate-statistics.ts";

/** P(X = k) for X ~ Binomial(n, p), k = 0…n, in log space so that n in the thousands stays accurate. */
export function binomialPmf(n: number, p: number): Float64Array {
  const out = new Float64Array(n + 1);
  if (p <= 0 || p >= 1) {
    out[p <= 0 ? 0 : n] = 1;
    return out;
  }
  const lp = Math.log(p);
  const lq = Math.log1p(-p);
  let logC = 0; // log C(n, k), built up one k at a time
  for (let k = 0; k <= n; k++) {
    if (k > 0) logC += Math.log(n - k + 1) - Math.log(k);
    out[k] = Math.exp(logC + k * lp + (n - k) * lq);
  }
  return out;
}

export interface PowerInput {
  readonly baseRate: number;
  readonly tunedRate: number;
  readonly nBase: number;
  readonly nTuned: number;
  readonly threshold: number;
  readonly mode: GateMode;
}

/** Probability that the gate FAILS the fine-tune (the power when the rise is real, the false-fail rate when not). */
export function gateFailureProbability(input: PowerInput): number {
  const pb = binomialPmf(input.nBase, input.baseRate);
  const pt = binomialPmf(input.nTuned, input.tunedRate);
  let fail = 0;
  for (let xb = 0; xb <= input.nBase; xb++) {
    if (pb[xb]! < 1e-15) continue; // negligible mass: skip to keep the double sum fast
    for (let xt = 0; xt <= input.nTuned; xt++) {
      if (pt[xt]! < 1e-15) continue;
      const { passed } = testIncrease({
        base: { x: xb, n: input.nBase },
        tuned: { x: xt, n: input.nTuned },
        threshold: input.threshold,
        mode: input.mode,
      });
      if (!passed) fail += pb[xb]! * pt[xt]!;
    }
  }
  return fail;
}

/** The smallest true fine-tuned rate (on a 0.5 pp grid) that the gate fails with at least `power` probability. */
export function detectableRate(base: Omit<PowerInput, "tunedRate">, power = 0.8): number | null {
  for (let step = 0; step <= 200; step++) {
    const tunedRate = Math.min(1, base.baseRate + step * 0.005);
    if (gateFailureProbability({ ...base, tunedRate }) >= power) return tunedRate;
    if (tunedRate >= 1) break;
  }
  return null;
}

const BASE_RATES = [0, 0.01, 0.02, 0.05, 0.1] as const;
const pp = (x: number) => `${(100 * x).toFixed(1)} %`;

/**
 * The power table of docs/gate.md: for each base rate, the true fine-tuned rate the gate fails 80 % of the
 * time, and how often it fails a fine-tune that changed nothing — in both modes, at n answers per model.
 */
export function renderPowerTable(n: number, threshold: number): string {
  const rows = [
    "| base rate | strict: caught 80 % at | strict: fails an unchanged model | lenient: caught 80 % at | lenient: fails an unchanged model |",
  ];
  rows.push("|---|---|---|---|---|");
  for (const baseRate of BASE_RATES) {
    const cells = (["strict", "lenient"] as const).flatMap((mode) => {
      const common = { baseRate, nBase: n, nTuned: n, threshold, mode };
      const detect = detectableRate(common);
      return [detect === null ? "never" : pp(detect), pp(gateFailureProbability({ ...common, tunedRate: baseRate }))];
    });
    rows.push(`| ${pp(baseRate)} | ${cells.join(" | ")} |`);
  }
  return rows.join("\n");
}
