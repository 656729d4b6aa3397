/** Mean and sample standard deviation over seeds. */

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
