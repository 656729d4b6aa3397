/** Mean and sample standard deviation over seeds, and a Pearson correlation. */

export interface MeanSd {
  readonly mean: number;
  /** Sample standard deviation (n − 1); null for fewer than two values. */
  readonly sd: number | null;
  readonly n: number;
}

/** Over the non-null values; null when there are none. */
export function meanSd(values: readonly (number | null)[]): MeanSd | null {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (xs.length === 0) return null;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  if (xs.length < 2) return { mean, sd: null, n: 1 };
  const ss = xs.reduce((a, x) => a + (x - mean) ** 2, 0);
  return { mean, sd: Math.sqrt(ss / (xs.length - 1)), n: xs.length };
}

/** Pearson's r of paired values; null with fewer than three pairs or no variance. */
export function pearson(pairs: readonly (readonly [number, number])[]): number | null {
  if (pairs.length < 3) return null;
  const mx = pairs.reduce((a, [x]) => a + x, 0) / pairs.length;
  const my = pairs.reduce((a, [, y]) => a + y, 0) / pairs.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [x, y] of pairs) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  }
  if (sxx === 0 || syy === 0) return null;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}
