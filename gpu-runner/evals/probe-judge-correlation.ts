/**
 * How well the judge-free likelihood probe tracks judged misalignment across runs (e.g. every run of a paper
 * table on the organism): Pearson and Spearman correlation of the probe's mean margin (fine-tuned model, nats
 * per token) with the judged general misalignment rate, each with a percentile bootstrap 95 % interval over
 * runs (resampled with replacement, seeded, so the interval is reproducible). The probe may gate only once
 * this correlation is known (docs/gate.md).
 */
import { Rng } from "../engine/index.ts";

export interface ProbeJudgeRun {
  /** The probe's mean margin ℓ(misaligned) − ℓ(aligned) for the run's model. */
  readonly probeMargin: number;
  /** The judged misaligned rate (0–1) of the same model. */
  readonly judgedMisalignment: number;
}

export interface CorrelationEstimate {
  readonly estimate: number;
  /** Percentile bootstrap 95 % interval; null when no resample had variance in both variables. */
  readonly ci95: readonly [number, number] | null;
}

export interface ProbeJudgeCorrelation {
  readonly runs: number;
  readonly pearson: CorrelationEstimate;
  readonly spearman: CorrelationEstimate;
  /** Resamples drawn, and how many had variance in both variables (the others say nothing and are skipped). */
  readonly bootstrap: { readonly resamples: number; readonly used: number; readonly seed: number };
}

/** Pearson's r; NaN when either variable is constant. */
export function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  if (sxx === 0 || syy === 0) return Number.NaN;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/** Ranks 1..n, ties sharing their average rank. */
export function ranks(x: readonly number[]): number[] {
  const order = x.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const out = new Array<number>(x.length);
  for (let s = 0; s < order.length;) {
    let e = s;
    while (e + 1 < order.length && order[e + 1].v === order[s].v) e++;
    const mean = (s + e) / 2 + 1;
    for (let k = s; k <= e; k++) out[order[k].i] = mean;
    s = e + 1;
  }
  return out;
}

/** Spearman's ρ: Pearson's r of the ranks (ties averaged). */
export function spearman(x: readonly number[], y: readonly number[]): number {
  return pearson(ranks(x), ranks(y));
}

function percentile(sorted: readonly number[], q: number): number {
  // linear interpolation between closest ranks (numpy's default)
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Pearson and Spearman correlation of probe margin with judged misalignment over runs, with bootstrap intervals. */
export function probeJudgeCorrelation(
  runs: readonly ProbeJudgeRun[],
  options: { resamples?: number; seed?: number } = {},
): ProbeJudgeCorrelation {
  const resamples = options.resamples ?? 2000;
  const seed = options.seed ?? 0;
  if (runs.length < 3) throw new RangeError(`a correlation needs at least 3 runs, got ${runs.length}`);
  const bad = runs.findIndex((r) => !Number.isFinite(r.probeMargin) || !Number.isFinite(r.judgedMisalignment));
  if (bad >= 0) throw new RangeError(`run ${bad} has a non-finite probe margin or judged rate`);
  const x = runs.map((r) => r.probeMargin);
  const y = runs.map((r) => r.judgedMisalignment);
  const rng = new Rng(seed);
  const p: number[] = [];
  const s: number[] = [];
  for (let b = 0; b < resamples; b++) {
    const idx = Array.from({ length: runs.length }, () => rng.int(runs.length));
    const bx = idx.map((i) => x[i]);
    const by = idx.map((i) => y[i]);
    const rp = pearson(bx, by);
    const rs = spearman(bx, by);
    if (Number.isNaN(rp) || Number.isNaN(rs)) continue;
    p.push(rp);
    s.push(rs);
  }
  const interval = (xs: number[]): readonly [number, number] | null => {
    if (xs.length === 0) return null;
    const sorted = [...xs].sort((a, b) => a - b);
    return [percentile(sorted, 0.025), percentile(sorted, 0.975)];
  };
  return {
    runs: runs.length,
    pearson: { estimate: pearson(x, y), ci95: interval(p) },
    spearman: { estimate: spearman(x, y), ci95: interval(s) },
    bootstrap: { resamples, used: p.length, seed },
  };
}
