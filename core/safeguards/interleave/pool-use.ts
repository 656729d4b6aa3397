/**
 * How much of the pool a perplexity-gap selection takes. Ranking means something only when the pool is much
 * larger than the selection: the paper selects 5 % of |D_fine| from a 100k-candidate pool (WildGuardMix). When
 * the selection takes half the usable candidates or more, most of the pool goes in whatever its score (a
 * warning); at 100 % or more the selection is the whole pool, repeated — no selection at all (refused).
 */

/** |D_safe| for a given |D_fine|: round(ratio·n), at least one when there is any training data. */
export function interleaveCount(fineCount: number, ratio: number): number {
  if (fineCount <= 0) return 0;
  return Math.max(1, Math.round(ratio * fineCount));
}

/** Fraction of the usable pool from which a warning is issued, and from which a job is refused. */
export const POOL_USE_WARN = 0.5;
export const POOL_USE_REFUSE = 1;

export interface PoolUse {
  readonly selected: number;
  readonly usable: number;
  readonly fraction: number;
  readonly verdict: "ok" | "warn" | "refuse";
}

export function poolUse(selected: number, usable: number): PoolUse {
  const fraction = usable > 0 ? selected / usable : Infinity;
  const verdict = fraction >= POOL_USE_REFUSE ? "refuse" : fraction >= POOL_USE_WARN ? "warn" : "ok";
  return { selected, usable, fraction, verdict };
}

/** The advice that goes with a warning or a refusal. */
export function poolUseAdvice(use: PoolUse, ratio: number): string {
  const pct = (use.fraction * 100).toFixed(0);
  const maxRatio = Math.floor(((POOL_USE_WARN * use.usable) / Math.max(1, use.selected / ratio)) * 1000) / 1000;
  return (
    `the selection takes ${use.selected} of ${use.usable} usable pool candidates (${pct} %), so the perplexity gap ` +
    `barely chooses anything. Use a pool at least ${Math.ceil(use.selected / POOL_USE_WARN)} candidates large ` +
    `(a dataset of purpose 'interleave-pool', e.g. WildGuardMix's unharmful responses; docs/safeguards.md)` +
    (maxRatio > 0 ? ` or a ratio of at most ${maxRatio}` : "") +
    "."
  );
}
